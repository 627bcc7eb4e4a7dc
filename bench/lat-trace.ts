import { LocalCluster } from "../src/cluster/index.ts";
import { ClusterExecutor } from "../src/executors/cluster-executor.ts";
import { processEntry } from "../src/shipping/index.ts";
import * as b from "./fixtures/cluster-bench-flows.ts";
const quiet = { printLogs: false as const, keepResults: "outputs" as const };
await processEntry();
const cluster = await LocalCluster({ workers: 2 });
const executor = new ClusterExecutor(cluster);
const T = (l: string) => (globalThis as any).__fgTrace?.(l);
for (let i = 0; i < Number(process.env.CHAINS ?? 3); i++) await b.chainFlow.run({ executor, ...quiet });
const rt: number[] = [];
const N = Number(process.env.N ?? 300);
for (let i = 0; i < N; i++) {
  const t0 = performance.now();
  T("run-start " + i);
  await b.oneFlow.run({ executor, ...quiet });
  T("run-end " + i);
  rt.push(performance.now() - t0);
}
rt.sort((x, y) => x - y);
const q = (p: number) => (rt[Math.floor(rt.length * p)]! * 1000).toFixed(0); console.log(JSON.stringify({ p10: q(0.1), p25: q(0.25), p50: q(0.5) }));
executor.close();
await cluster.close();
