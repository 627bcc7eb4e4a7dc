// The cluster dashboard under a 100,000-task map (issue 6): map + sum throughput with no
// dashboard client and with one live event-stream client, the size of each update it receives,
// and whether its last update counts every task. Prints one JSON object.
// Run: node --import ./bin/register.js bench/dashboard.ts
import http from "node:http";
import { LocalCluster } from "../src/cluster/index.ts";
import { ClusterExecutor } from "../src/executors/cluster-executor.ts";
import * as b from "./fixtures/cluster-bench-flows.ts";

const N = 100_000;
const quiet = { printLogs: false as const, keepResults: "outputs" as const };
const xs = Array.from({ length: N }, (_, i) => i);
const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)]!;

/** Reads the dashboard's event stream, keeping each update's size and the last update. */
function watch(url: string) {
  const sizes: number[] = [];
  let last: { totals?: { completed?: number } } = {};
  let buf = "";
  const req = http.get(url, (res) => {
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      buf += chunk;
      for (let i = buf.indexOf("\n\n"); i >= 0; i = buf.indexOf("\n\n")) {
        const event = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = event
          .split("\n")
          .filter((l) => l.startsWith("data: "))
          .map((l) => l.slice(6))
          .join("\n");
        if (!data) continue;
        sizes.push(Buffer.byteLength(event));
        last = JSON.parse(data) as typeof last;
      }
    });
  });
  req.on("error", () => {});
  return { sizes, last: () => last, close: () => req.destroy() };
}

async function mapRate(executor: ClusterExecutor): Promise<number> {
  const t0 = performance.now();
  const r = await b.mapFlow.run({ executor, ...quiet, parameters: { xs } });
  if (r.outputs !== (N * (N - 1)) / 2) throw new Error(`map+sum gave ${String(r.outputs)}`);
  return Math.round((N + 1) / ((performance.now() - t0) / 1000));
}

const cluster = await LocalCluster({ workers: 2 });
const executor = new ClusterExecutor(cluster);
try {
  await b.mapFlow.run({ executor, ...quiet, parameters: { xs: xs.slice(0, 2000) } }); // warm up
  const without: number[] = [];
  const withClient: number[] = [];
  let stream: ReturnType<typeof watch> | undefined;
  for (let i = 0; i < 3; i++) {
    without.push(await mapRate(executor));
    stream = watch(cluster.dashboardLink.replace(/\/status$/, "/events"));
    withClient.push(await mapRate(executor));
    await new Promise((r) => setTimeout(r, 700)); // one more update after the run ends
    if (i < 2) stream.close();
  }
  const sizes = stream!.sizes;
  const completed = stream!.last().totals?.completed;
  stream!.close();
  console.log(
    JSON.stringify({
      bench: "dashboard",
      tasks: N + 1,
      map_tasks_per_second_no_client: { median: median(without), all: without },
      map_tasks_per_second_one_live_client: { median: median(withClient), all: withClient },
      updates_received_last_run: sizes.length,
      update_bytes: { median: median(sizes), max: Math.max(...sizes) },
      // tasks the scheduler completed since it started: the warm-up and six runs
      last_update_completed: completed,
      expected_completed: 2001 + 6 * (N + 1),
    }),
  );
} finally {
  executor.close();
  await cluster.close();
}
