import { test } from "node:test";
import assert from "node:assert/strict";
import type { GraphSpec } from "../../src/graph/task-spec.ts";
import { DashboardCollector } from "../../src/cluster/dashboard/dashboard-collector.ts";
import { DashboardFeed } from "../../src/cluster/dashboard/dashboard-feed.ts";
import { layoutGraph } from "../../src/cluster/dashboard/graph-layout.ts";
import { PrometheusText } from "../../src/common/prometheus-text.ts";
import { RingBuffer } from "../../src/cluster/dashboard/ring-buffer.ts";
import { TaskStream } from "../../src/cluster/dashboard/task-stream.ts";
import { schedulerMetrics } from "../../src/cluster/dashboard/scheduler-metrics.ts";
import { FlowRun } from "../../src/cluster/scheduler/flow-run.ts";
import { WorkerRecord } from "../../src/cluster/scheduler/worker-record.ts";
import type { SchedulerState } from "../../src/cluster/scheduler/scheduler-state.ts";
import { node } from "../graph/graph-driver.ts";
import { doneMsg, type DoneTuple } from "../cluster/fixtures/done-reports.ts";

/** A scheduler core with one run of `spec` and two 2-slot workers (ids 1 and 2). */
function fakeCore(spec: GraphSpec) {
  const run = new FlowRun(
    7,
    99,
    1,
    "run-id",
    "demo",
    "hash",
    Buffer.alloc(0),
    Buffer.alloc(0),
    spec,
    new Set(),
  );
  run.state.start();
  const core = {
    runs: new Map([[7, run]]),
    workers: new Map([
      [1, new WorkerRecord(1, "w-1", "tcp://a:1", 2, Date.now() - 2000)],
      [2, new WorkerRecord(2, "w-2", "tcp://a:2", 2, Date.now() - 2000)],
    ]),
    queue: { size: 0 },
    processing: 0,
    completed: 0,
    workerSecondsGone: 1.5,
  };
  return core as unknown as SchedulerState;
}

const mapSpec: GraphSpec = {
  nodes: [
    node("xs", { constant: { value: [1, 2] } }),
    node("inc", { mapped: true, args: [{ kind: "ref", node: 0, mode: "mapped" }] }),
  ],
};

test("dashboard - ring buffer keeps the newest items and answers 'since'", () => {
  const r = new RingBuffer<number>(3);
  for (let i = 0; i < 5; i++) r.push(i);
  assert.deepEqual(r.since(0), [2, 3, 4]);
  assert.deepEqual(r.since(4), [4]);
  assert.deepEqual(r.since(0, 2), [3, 4]);
  assert.deepEqual(r.since(5), []);
});

test("dashboard - task stream puts overlapping tasks of a worker in separate lanes, transfers in the extra lane", () => {
  const s = new TaskStream(10);
  const t = s.origin;
  s.addTask(1, 2, t + 0, t + 10, "a");
  s.addTask(1, 2, t + 5, t + 12, "b");
  s.addTask(1, 2, t + 11, t + 15, "a");
  s.addTransfer(1, 2, t + 1, t + 2);
  assert.deepEqual(
    s.records.since(0).map((r) => [r[1], r[4]]),
    [
      [0, 0],
      [1, 1],
      [0, 0],
      [2, -1],
    ],
  );
  assert.deepEqual(s.names, ["a", "b"]);
});

test("dashboard - 100,000 finished tasks cost bounded memory and each update stays small", () => {
  const core = fakeCore(mapSpec);
  const c = new DashboardCollector(core);
  const started = performance.now();
  for (let b = 0; b < 100; b++) {
    const res = Array.from({ length: 1000 }, (_, i): DoneTuple => [1, b * 1000 + i, 0, 0.2]);
    c.observe(1 + (b % 2), doneMsg(7, res));
  }
  const ms = performance.now() - started;
  assert.ok(ms < 2000, `observing 100,000 results took ${ms} ms`);
  assert.equal(c.durations.count, 100_000);
  assert.equal(c.outcomes.success, 100_000);
  assert.equal(c.stream.records.since(0).length, c.stream.records.capacity);
  const feed = new DashboardFeed({ core, address: "tcp://s:1" }, c, 60_000);
  const update = JSON.stringify(feed.current());
  feed.close();
  assert.ok(update.length < 400_000, `an update is ${update.length} bytes`);
  const metrics = schedulerMetrics(core, c);
  assert.match(metrics, /flowgate_scheduler_task_duration_seconds_bucket\{le="0.0005"\} 100000/);
  assert.match(metrics, /flowgate_scheduler_tasks_finished_total\{outcome="success"\} 100000/);
  // two workers connected for 2 s or more, plus 1.5 s of workers that have left
  const workerSeconds = Number(
    /^flowgate_scheduler_worker_seconds_total (\S+)$/m.exec(metrics)?.[1],
  );
  assert.ok(workerSeconds >= 5.5 && workerSeconds < 60, `worker-seconds ${workerSeconds}`);
});

test("dashboard - heartbeats give CPU, memory and transfers; logs are labelled by worker and task", () => {
  const core = fakeCore(mapSpec);
  const c = new DashboardCollector(core);
  const now = Date.now();
  c.observe(1, { t: "hb", rss: 1000, cpu: 0, now, bytes: 5, load: 1, xfer: [] });
  c.observe(1, {
    t: "hb",
    rss: 2000,
    cpu: 5e5,
    now: now + 1000,
    bytes: 5,
    load: 1,
    xfer: [now - 5, now - 1, 4096],
  });
  assert.equal(c.workerStats.get(1)!.rss, 2000);
  assert.equal(c.workerStats.get(1)!.cpu, 0.5);
  assert.equal(c.bytesMoved, 4096);
  c.observe(2, { t: "logs", run: 7, logs: [[now, "INFO", 1, 3, "hello"]] });
  assert.deepEqual(c.logs.since(0), [[now, "INFO", "w-2", "inc[3]", "hello"]]);
  c.refreshRuns();
  assert.deepEqual(
    c.runs.get(7)!.progress.map((p) => p.name),
    ["inc"],
  );
});

test("dashboard - graph layout puts each node right of its upstreams and skips big graphs", () => {
  const g = layoutGraph({
    nodes: [
      node("a"),
      node("b"),
      node("c", { args: [{ kind: "ref", node: 0, mode: "whole" }], upstream: [1] }),
      node("d", { upstream: [2] }),
    ],
  })!;
  assert.deepEqual(
    g.nodes.map((n) => n.layer),
    [0, 0, 1, 2],
  );
  assert.deepEqual(g.edges, [
    [1, 2],
    [0, 2],
    [2, 3],
  ]);
  assert.equal(
    layoutGraph({ nodes: Array.from({ length: 201 }, (_, i) => node(`n${i}`)) }),
    undefined,
  );
});

test("dashboard - Prometheus text escapes label values", () => {
  const text = new PrometheusText()
    .family("m", "gauge", "help")
    .sample("m", 1, { w: 'a"b\\c\nd' })
    .toString();
  assert.equal(text, '# HELP m help\n# TYPE m gauge\nm{w="a\\"b\\\\c\\nd"} 1\n');
});
