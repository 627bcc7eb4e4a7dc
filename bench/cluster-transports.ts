// LocalCluster on Unix sockets vs mutual TLS over 127.0.0.1, interleaved so that the load of a
// shared machine falls on both alike: submit -> result of one task (runs alternate between a
// cluster of each kind), start time (starts alternate), and each process's CPU time until it is
// ready (from /proc/PID/stat, less noisy than wall time here). The schedulers run in processes of
// their own, so that their CPU is read alone. Prints one JSON object.
// Run: node --expose-gc --import ./bin/register.js bench/cluster-transports.ts
import { readFileSync } from "node:fs";
import { LocalCluster, type LocalClusterOptions } from "../src/cluster/index.ts";
import { ClusterExecutor } from "../src/executors/cluster-executor.ts";
import { processEntry } from "../src/shipping/index.ts";
import * as b from "./fixtures/cluster-bench-flows.ts";

type Transport = NonNullable<LocalClusterOptions["transport"]>;
const kinds: Transport[] = ["unix", "tls"];
const quiet = { printLogs: false as const, keepResults: "outputs" as const };
const quantile = (xs: number[], q: number) =>
  +[...xs].sort((x, y) => x - y)[Math.floor(xs.length * q)]!.toFixed(3);
const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);

/** A process's CPU time so far (user + system), ms, in clock ticks of 10 ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const out: Record<string, unknown> = { loadAverageAtStart: loadAverage() };
await processEntry();

const start: Record<Transport, number[]> = { unix: [], tls: [] };
const cpu: Record<Transport, { scheduler: number[]; worker: number[] }> = {
  unix: { scheduler: [], worker: [] },
  tls: { scheduler: [], worker: [] },
};
for (let i = 0; i < 8; i++)
  for (const transport of kinds) {
    const t0 = performance.now();
    const c = await LocalCluster({ workers: 2, transport, scheduler: "process" });
    start[transport].push(performance.now() - t0);
    const [scheduler, ...workers] = c.pids;
    cpu[transport].scheduler.push(cpuMs(scheduler!));
    cpu[transport].worker.push(...workers.map(cpuMs));
    await c.close();
  }
out.localClusterStartMs = Object.fromEntries(
  kinds.map((k) => [k, { p50: quantile(start[k], 0.5), all: start[k].map(Math.round) }]),
);
out.cpuMsUntilReady = Object.fromEntries(
  kinds.map((k) => [
    k,
    { scheduler: quantile(cpu[k].scheduler, 0.5), worker: quantile(cpu[k].worker, 0.5) },
  ]),
);

const clusters = await Promise.all(
  kinds.map((transport) => LocalCluster({ workers: 2, transport, scheduler: "process" })),
);
const executors = clusters.map((c) => new ClusterExecutor(c));
try {
  for (const executor of executors)
    for (let i = 0; i < 3; i++) await b.chainFlow.run({ executor, ...quiet }); // JIT warm-up
  const rt: Record<Transport, number[]> = { unix: [], tls: [] };
  for (let i = 0; i < 400; i++)
    for (const [j, transport] of kinds.entries()) {
      const t0 = performance.now();
      await b.oneFlow.run({ executor: executors[j]!, ...quiet });
      rt[transport].push(performance.now() - t0);
    }
  out.submitToResultMs = Object.fromEntries(
    kinds.map((k) => [k, { p25: quantile(rt[k], 0.25), p50: quantile(rt[k], 0.5) }]),
  );
} finally {
  for (const e of executors) e.close();
  await Promise.all(clusters.map((c) => c.close()));
}
out.loadAverageAtEnd = loadAverage();
console.log(JSON.stringify(out, null, 2));
