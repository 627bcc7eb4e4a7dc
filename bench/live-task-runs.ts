// Live task-run states (issue 14): a 100,000-child map + sum with and without an `onTaskRuns`
// listener, on LocalExecutor and on a LocalCluster(2), runs interleaved so that machine noise
// hits both alike. Reports wall-clock tasks/s and CPU µs per task (this process; on the cluster
// also the scheduler, in a process of its own, and the workers), which a busy shared machine
// disturbs less, and what the
// listener received. Prints one JSON object.
// Run: node --import ./bin/register.js bench/live-task-runs.ts
import { readFileSync } from "node:fs";
import { LocalCluster } from "../src/cluster/index.ts";
import { ClusterExecutor } from "../src/executors/cluster-executor.ts";
import { LocalExecutor, type Executor } from "../src/executors/index.ts";
import * as b from "./fixtures/cluster-bench-flows.ts";

const N = 100_000;
const ROUNDS = 5;
const quiet = { printLogs: false as const, keepResults: "outputs" as const };
const xs = Array.from({ length: N }, (_, i) => i);
const median = (v: number[]) => +[...v].sort((x, y) => x - y)[Math.floor(v.length / 2)]!.toFixed(2);

/** A process's CPU time so far (user + system), in µs, from /proc/PID/stat. */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}

interface Sample {
  rate: number;
  /** CPU µs per task: this process, scheduler, workers (cluster only) */
  cpu: number[];
  updates: number;
  batches: number;
}

async function sample(executor: Executor, listen: boolean, pids: readonly number[]) {
  let updates = 0;
  let batches = 0;
  const onTaskRuns = (u: readonly unknown[]) => {
    updates += u.length;
    batches++;
  };
  const before = [cpuMicros(process.pid), ...pids.map(cpuMicros)];
  const t0 = performance.now();
  const r = await b.mapFlow.run({
    executor,
    ...quiet,
    parameters: { xs },
    ...(listen ? { onTaskRuns } : {}),
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.outputs !== (N * (N - 1)) / 2) throw new Error(`map+sum gave ${String(r.outputs)}`);
  const after = [cpuMicros(process.pid), ...pids.map(cpuMicros)];
  const cpu = after.map((a, i) => (a - before[i]!) / (N + 1));
  // the scheduler is pids[0]; sum the workers
  const perRole = pids.length ? [cpu[0]!, cpu[1]!, cpu.slice(2).reduce((x, y) => x + y, 0)] : cpu;
  return { rate: Math.round((N + 1) / seconds), cpu: perRole, updates, batches } as Sample;
}

async function compare(executor: Executor, pids: readonly number[]) {
  await b.mapFlow.run({ executor, ...quiet, parameters: { xs: xs.slice(0, 2000) } }); // warm up
  const off: Sample[] = [];
  const on: Sample[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    off.push(await sample(executor, false, pids));
    on.push(await sample(executor, true, pids));
  }
  const roles = pids.length ? ["client", "scheduler", "workers"] : ["process"];
  const cpu = (s: Sample[]) =>
    Object.fromEntries(roles.map((role, i) => [role, median(s.map((x) => x.cpu[i]!))]));
  return {
    tasks_per_second_no_listener: {
      median: median(off.map((s) => s.rate)),
      all: off.map((s) => s.rate),
    },
    tasks_per_second_live_listener: {
      median: median(on.map((s) => s.rate)),
      all: on.map((s) => s.rate),
    },
    cpu_us_per_task_no_listener: cpu(off),
    cpu_us_per_task_live_listener: cpu(on),
    // per run with the listener: task-run updates (coalesced) and batches delivered
    updates_last_run: on.at(-1)!.updates,
    batches_last_run: on.at(-1)!.batches,
  };
}

const local = await compare(new LocalExecutor(), []);
const cluster = await LocalCluster({ workers: 2, scheduler: "process" });
const executor = new ClusterExecutor(cluster);
try {
  const onCluster = await compare(executor, cluster.pids);
  console.log(
    JSON.stringify({ bench: "live-task-runs", tasks: N + 1, local, cluster: onCluster }, null, 2),
  );
} finally {
  await executor.close();
  await cluster.close();
}
