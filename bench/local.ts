// LocalExecutor: a 100,000-child map of a trivial task plus a sum, in a fresh process.
// Prints JSON: tasks/s and peak memory per mapped child (growth of peak RSS over the baseline).
import { LocalExecutor } from "flowgate";
import { wideMap } from "./flows/wide-map.ts";

const n = Number(process.env.BENCH_CHILDREN ?? 100_000);
const runs = Number(process.env.BENCH_RUNS ?? 5);

async function once() {
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

global.gc?.();
const baselineRss = process.memoryUsage().rss;
const first = await once();
const peakRss = process.resourceUsage().maxRSS * 1024;
const times = [first];
for (let i = 1; i < runs; i++) times.push(await once());
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
const tasks = n + 3;

console.log(
  JSON.stringify({
    bench: "local-executor-map",
    children: n,
    runs,
    median_seconds: Number(median.toFixed(4)),
    tasks_per_second: Math.round(tasks / median),
    peak_bytes_per_child: Math.round((peakRss - baselineRss) / n),
    targets: { tasks_per_second: 100_000, peak_bytes_per_child: 500 },
  }),
);
