// LocalExecutor: a 100,000-child map of a trivial task plus a sum.
// Prints JSON: tasks/s (median of 5 runs) and memory per mapped child: peak RSS growth of a fresh
// process over its baseline, at 100,000 children and at 300,000 (whose slope is the marginal cost
// of one more child, without V8's fixed heap headroom).
import { spawnSync } from "node:child_process";
import { LocalExecutor } from "flowgate";
import { wideMap } from "./flows/wide-map.ts";

async function runOnce(n: number): Promise<number> {
  const started = performance.now();
  const result = await wideMap.run({
    parameters: { n },
    executor: new LocalExecutor(),
    printLogs: false,
    keepResults: "outputs",
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.outputs !== (n * (n - 1)) / 2) throw new Error(`wrong sum ${String(result.outputs)}`);
  return seconds;
}

/** In a fresh process: peak RSS growth per child for one run of n children. */
function peakBytesPerChild(n: number): number {
  const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!], {
    env: { ...process.env, BENCH_MEMORY_CHILDREN: String(n) },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`memory probe failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

const memoryProbe = process.env.BENCH_MEMORY_CHILDREN;
if (memoryProbe) {
  const n = Number(memoryProbe);
  const baseline = process.memoryUsage().rss;
  await runOnce(n);
  console.log(Math.round((process.resourceUsage().maxRSS * 1024 - baseline) / n));
} else {
  const n = 100_000;
  await runOnce(n); // warm-up
  const times: number[] = [];
  for (let i = 0; i < 5; i++) times.push(await runOnce(n));
  times.sort((a, b) => a - b);
  const median = times[2]!;
  const at100k = peakBytesPerChild(100_000);
  const at300k = peakBytesPerChild(300_000);
  console.log(
    JSON.stringify({
      bench: "local-executor-map",
      children: n,
      median_seconds: Number(median.toFixed(4)),
      tasks_per_second: Math.round((n + 3) / median),
      peak_rss_bytes_per_child_100k: at100k,
      peak_rss_bytes_per_child_300k: at300k,
      marginal_bytes_per_child: Math.round((at300k * 300_000 - at100k * 100_000) / 200_000),
      targets: { tasks_per_second: 100_000, bytes_per_child: 500 },
    }),
  );
}
