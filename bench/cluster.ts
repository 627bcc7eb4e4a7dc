// Cluster benchmarks (issue 3): prints one JSON object. Run: node --import ./bin/register.js bench/cluster.ts [--big]
// `--only=latency` runs only the chain and submit -> result parts; `--only=throughput` only the
// 100k maps (over a Parameter and over a task's result, BENCH_PAIRS interleaved pairs, default 9;
// it also prints their ratio on stderr) and the CPU per task. `--transport=tls` runs the
// LocalClusters on mutual TLS over 127.0.0.1 instead of their default Unix sockets (to compare).
// Throughput, CPU and memory are measured with the scheduler in a process of its own (as on a
// gateway's cluster), so that its share is read alone; start-up and submit -> result also with the
// default LocalCluster, whose scheduler runs in this process.
// Profiling the cluster's processes: FLOWGATE_CLUSTER_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"
// passes those flags to the scheduler and workers (task threads write their own profiles too).
import { fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  LocalCluster,
  makeClusterCredentials,
  type LocalClusterScheduler,
} from "../src/cluster/index.ts";
import { ClusterExecutor } from "../src/executors/cluster-executor.ts";
import { processEntry } from "../src/shipping/index.ts";
import { PeerClient } from "../src/cluster/worker/peer-client.ts";
import * as b from "./fixtures/cluster-bench-flows.ts";

const quiet = { printLogs: false as const, keepResults: "outputs" as const };
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const out: Record<string, unknown> = {};
const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);

/** A process's CPU time so far (user + system, all threads), in µs, from /proc/PID/stat. */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat (here 11 and 12 after the command name), in ticks.
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}

const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);
const transport = process.argv.includes("--transport=tls") ? ("tls" as const) : ("unix" as const);
out.transport = transport;
const want = (part: "latency" | "throughput") => only === undefined || only === part;

await processEntry();
const starts: Record<LocalClusterScheduler, number[]> = { "in-process": [], process: [] };
for (let i = 0; i < (only ? 0 : 3); i++)
  for (const scheduler of ["in-process", "process"] as const) {
    const t0 = performance.now();
    const c = await LocalCluster({ workers: 2, transport, scheduler });
    starts[scheduler].push(performance.now() - t0);
    await c.close();
  }
const summary = (xs: number[]) => ({
  median: +median(xs).toFixed(1),
  all: xs.map((x) => +x.toFixed(1)),
});
if (!only) {
  out.localClusterStartMs = summary(starts["in-process"]);
  out.localClusterStartMsSchedulerProcess = summary(starts.process);
}

const cluster = await LocalCluster({ workers: 2, transport, scheduler: "process" });
const executor = new ClusterExecutor(cluster);
const defaultCluster = want("latency") ? await LocalCluster({ workers: 2, transport }) : undefined;
try {
  await b.mapFlow.run({ executor, ...quiet, parameters: { xs: range(2000) } }); // warm threads and bundle
  // Three chains first: the first runs of a 1,000-node graph are JIT warm-up in every process.
  for (let i = 0; i < 3; i++) await b.chainFlow.run({ executor, ...quiet });
  out.loadAverageAtStart = loadAverage();
  if (want("throughput")) await throughput(executor);
  if (defaultCluster) {
    const inProcess = new ClusterExecutor(defaultCluster);
    try {
      await b.mapFlow.run({ executor: inProcess, ...quiet, parameters: { xs: range(2000) } });
      for (let i = 0; i < 3; i++) await b.chainFlow.run({ executor: inProcess, ...quiet });
      await latency({ "in-process": inProcess, process: executor });
    } finally {
      inProcess.close();
    }
  }
  if (!only) await transfer(executor);
  out.loadAverageAtEnd = loadAverage();
} finally {
  executor.close();
  await cluster.close();
  await defaultCluster?.close();
}

/** Task runs each worker has finished so far (the scheduler's `executed` count, from /api/status). */
async function executedByWorker(): Promise<number[]> {
  const url = cluster.dashboardLink.replace(/\/status$/, "/api/status");
  const status = (await (await fetch(url)).json()) as { workers: { executed: number }[] };
  return status.workers.map((w) => w.executed);
}

interface Measured {
  rate: number;
  /** Task runs each worker finished. */
  perWorker: number[];
  /** CPU time (ms) of the scheduler, then of each worker, over the run. */
  cpuMs: number[];
}

/** One 100k run of a shape: its rate (task runs / s) and how many task runs each worker did. */
async function measure(shape: "parameter" | "result"): Promise<Measured> {
  const before = await executedByWorker();
  const cpu0 = cluster.pids.map(cpuMicros);
  const t0 = performance.now();
  const r =
    shape === "parameter"
      ? await b.mapFlow.run({ executor, ...quiet, parameters: { xs: range(100_000) } })
      : await b.resultMapFlow.run({ executor, ...quiet, parameters: { n: 100_000 } });
  const s = (performance.now() - t0) / 1000;
  if (r.outputs !== (100_000 * 99_999) / 2)
    throw new Error(`${shape} map gave ${String(r.outputs)}`);
  const cpu = cluster.pids.map((p, j) => cpuMicros(p) - cpu0[j]!);
  const after = await executedByWorker();
  // 100,001 task runs (map + sum) for the Parameter map, 100,002 (range too) for the result map.
  const rate = (shape === "parameter" ? 100_001 : 100_002) / s;
  return {
    rate,
    perWorker: after.map((x, i) => x - (before[i] ?? 0)),
    cpuMs: cpu.map((x) => Math.round(x / 1000)),
  };
}

async function throughput(executor: ClusterExecutor): Promise<void> {
  // Each shape once at full size first: the first 100k runs are JIT and heap warm-up in every
  // process (the warm-up used to be one 2,000-child run, so the first measured run paid it).
  const warmUp = { parameter: await measure("parameter"), result: await measure("result") };
  // Then the two shapes pair by pair, the order alternating, so that drift of the (shared)
  // machine over the bench falls on both shapes alike; the bound is on the median pair ratio.
  const pairs = Math.max(1, Number(process.env.BENCH_PAIRS ?? 9));
  const got: { parameter: Measured; result: Measured }[] = [];
  for (let i = 0; i < pairs; i++) {
    const first = i % 2 === 0 ? "parameter" : "result";
    const a = await measure(first);
    const z = await measure(first === "parameter" ? "result" : "parameter");
    got.push(first === "parameter" ? { parameter: a, result: z } : { parameter: z, result: a });
  }
  const rates = got.map((p) => p.parameter.rate);
  const resultRates = got.map((p) => p.result.rate);
  const ratios = got.map((p) => p.result.rate / p.parameter.rate);
  out.map100kTasksPerSecond = { median: Math.round(median(rates)), all: rates.map(Math.round) };
  out.resultMap100kTasksPerSecond = {
    median: Math.round(median(resultRates)),
    all: resultRates.map(Math.round),
  };
  // Issue 11's bound: the map over a result runs within 10 % of the map over a Parameter.
  const ratio = median(ratios);
  const brief = (m: Measured) => ({
    rate: Math.round(m.rate),
    perWorker: m.perWorker,
    cpuMs: m.cpuMs,
  });
  out.resultMapVsParameterMap = {
    ratio: +ratio.toFixed(3),
    withinTenPercent: ratio >= 0.9,
    pairRatios: ratios.map((x) => +x.toFixed(3)),
    warmUp: { parameter: brief(warmUp.parameter), result: brief(warmUp.result) },
    pairs: got.map((p) => ({ parameter: brief(p.parameter), result: brief(p.result) })),
    note: `median of ${pairs} per-pair ratios (result map / Parameter map, 100,000 children each, order alternating), after one full-size warm-up run of each shape; perWorker = task runs each worker finished; cpuMs = CPU of the scheduler, then of each worker`,
  };
  if (only)
    console.error(
      `result map / Parameter map: ${ratio.toFixed(3)} (pairs: ${ratios.map((x) => x.toFixed(3)).join(", ")})`,
    );
  await cpuPerTask(executor);
}

async function cpuPerTask(executor: ClusterExecutor): Promise<void> {
  // CPU per task (issue 11): scheduler and worker processes' CPU time over a 200,000-task no-op
  // map, from /proc/PID/stat (utime + stime, all threads). Targets: scheduler <= 3 µs, worker <= 8.
  {
    const [sched, ...workers] = cluster.pids;
    const scheduler: number[] = [];
    const worker: number[] = [];
    const load0 = loadAverage();
    for (let i = 0; i < 3; i++) {
      const cpu0 = cluster.pids.map(cpuMicros);
      const r = await b.mapFlow.run({ executor, ...quiet, parameters: { xs: range(200_000) } });
      if (r.outputs !== (200_000 * 199_999) / 2) throw new Error(`map gave ${String(r.outputs)}`);
      const used = cluster.pids.map((p, j) => cpuMicros(p) - cpu0[j]!);
      scheduler.push(used[0]! / 200_001);
      worker.push(used.slice(1).reduce((a, x) => a + x, 0) / 200_001);
    }
    const fix = (xs: number[]) => xs.map((x) => +x.toFixed(2));
    out.cpuMicrosPerTask = {
      scheduler: +median(scheduler).toFixed(2),
      worker: +median(worker).toFixed(2),
      all: { scheduler: fix(scheduler), worker: fix(worker) },
      loadAverage: { before: load0, after: loadAverage() },
      note: `medians of 3 200,000-task no-op maps; worker = both workers together (all threads); scheduler pid ${sched}, ${workers.length} workers; clock ticks of 10 ms`,
    };
  }
}

/**
 * Chains and submit -> result on both LocalClusters (the default, its scheduler in this process,
 * and one with the scheduler in a process of its own), in alternating blocks so that the load of
 * a shared machine falls on both alike.
 */
async function latency(executors: Record<LocalClusterScheduler, ClusterExecutor>): Promise<void> {
  const kinds = ["in-process", "process"] as const;
  const links: Record<LocalClusterScheduler, number[]> = { "in-process": [], process: [] };
  for (let i = 0; i < 5; i++)
    for (const k of kinds) {
      const t0 = performance.now();
      const r = await b.chainFlow.run({ executor: executors[k], ...quiet });
      if (r.outputs !== 1000) throw new Error("chain gave " + String(r.outputs));
      links[k].push(((performance.now() - t0) * 1000) / 1000);
    }
  out.chainMicrosecondsPerLink = summary(links["in-process"]);
  out.chainMicrosecondsPerLinkSchedulerProcess = summary(links.process);

  // Steady state: 100 runs first (JIT in every process; the worker learns the task is short and
  // loads the flow's code on its I/O loop, inline-policy.ts), then 300 measured, in blocks of 50.
  const rt: Record<LocalClusterScheduler, number[]> = { "in-process": [], process: [] };
  for (const k of kinds)
    for (let i = 0; i < 100; i++) await b.oneFlow.run({ executor: executors[k], ...quiet });
  for (let block = 0; block < 6; block++)
    for (const k of kinds)
      for (let i = 0; i < 50; i++) {
        const t0 = performance.now();
        await b.oneFlow.run({ executor: executors[k], ...quiet });
        rt[k].push(performance.now() - t0);
      }
  const percentiles = (xs: number[]) => {
    const sorted = [...xs].sort((x, y) => x - y);
    const at = (q: number) => +sorted[Math.floor(sorted.length * q)]!.toFixed(3);
    return { p10: at(0.1), p50: at(0.5), p99: at(0.99) };
  };
  out.submitToResultMs = {
    ...percentiles(rt["in-process"]),
    note: "flow.run() of a one-task flow on a connected ClusterExecutor, 300 runs after 100 unmeasured; the default LocalCluster (its scheduler in this process)",
  };
  out.submitToResultMsSchedulerProcess = {
    ...percentiles(rt.process),
    note: "the same on a LocalCluster whose scheduler runs in a process of its own (two more process hops, as on a gateway's cluster)",
  };
}

async function transfer(executor: ClusterExecutor): Promise<void> {
  const tr: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = await b.transferFlow.run({ executor, ...quiet, parameters: { xs: range(64) } });
    if (r.outputs !== 64 << 20) throw new Error("transfer gave " + String(r.outputs));
    tr.push(performance.now() - t0);
  }
  out.transferFlow64MiBMs = {
    median: +median(tr).toFixed(1),
    note: "whole flow: 64 x 1 MiB made on 2 workers, ~32 MiB fetched peer to peer, then summed",
  };
}

// Peer-to-peer data path alone (same code: framing, codec), 64 x 1 MiB, from a serving process
// to this one, as between two workers: over mutual TLS (remote workers, `transport: "tls"`) and
// over a Unix socket (a LocalCluster's workers).
if (!only) {
  const sec = await makeClusterCredentials();
  out.peerTransferGiBPerSecond = await peerTransfer(JSON.stringify(sec), new PeerClient(sec));
  const dir = mkdtempSync(join(tmpdir(), "flowgate-bench-"));
  try {
    out.peerTransferUnixGiBPerSecond = await peerTransfer(
      `unix://${join(dir, "peer.sock")}`,
      new PeerClient(undefined),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function peerTransfer(serverArg: string, client: PeerClient) {
  const server = fork(fileURLToPath(new URL("./fixtures/peer-server.ts", import.meta.url)), [
    serverArg,
  ]);
  try {
    const addr = await new Promise<string>((resolve) => server.once("message", resolve));
    const keys = range(64).map((i) => `0|${i}`);
    const rates: number[] = [];
    for (let i = 0; i < 12; i++) {
      const t0 = performance.now();
      const v = await client.fetch(addr, 1, keys);
      const s = (performance.now() - t0) / 1000;
      if (v.length !== 64 || v.some((x) => !x || x.length !== 1 << 20))
        throw new Error("bad fetch");
      // The first rounds warm up both processes' allocators (fresh pages cost a fault per 4 KiB).
      if (i >= 4) rates.push(64 / 1024 / s);
    }
    client.close();
    return { median: +median(rates).toFixed(2), all: rates.map((x) => +x.toFixed(2)) };
  } finally {
    server.disconnect();
  }
}

if (process.argv.includes("--big")) {
  // Each 1,000,000-task map on a fresh cluster, so that the scheduler's peak memory is its own.
  const shapes = {
    map1M: (ex: ClusterExecutor) =>
      b.mapFlow.run({ executor: ex, ...quiet, parameters: { xs: range(1_000_000) } }),
    resultMap1M: (ex: ClusterExecutor) =>
      b.resultMapFlow.run({ executor: ex, ...quiet, parameters: { n: 1_000_000 } }),
  };
  for (const [name, run] of Object.entries(shapes)) {
    const c = await LocalCluster({ workers: 2, transport, scheduler: "process" });
    const ex = new ClusterExecutor(c);
    try {
      const t0 = performance.now();
      const r = await run(ex);
      const seconds = (performance.now() - t0) / 1000;
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${c.pids[0]}/status`, "utf8"))?.[1];
      out[name] = {
        ok: r.outputs === (1_000_000 * 999_999) / 2,
        seconds: +seconds.toFixed(2),
        tasksPerSecond: Math.round(1_000_000 / seconds),
        // Peak RSS (VmHWM) of the scheduler process (the first pid LocalCluster started); target <= 1024.
        schedulerPeakMiB: Math.round(Number(hwm) / 1024),
      };
    } finally {
      ex.close();
      await c.close();
    }
  }
}
console.log(JSON.stringify(out, null, 2));
