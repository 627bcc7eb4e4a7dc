// The server UI's pure modules (formatting, filters, the run form, task counts, Gantt sampling,
// graph layout, log filtering), loaded as the browser loads them: plain ES modules.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

/* eslint-disable @typescript-eslint/no-explicit-any -- the modules are browser JavaScript */
async function load(name: string): Promise<any> {
  return import(new URL(`../../src/server/ui/static/${name}`, import.meta.url).href);
}

const format = await load("format.js");
const filters = await load("filters.js");
const form = await load("params-form.js");
const tv = await load("task-view.js");
const gl = await load("gantt-layout.js");
const graph = await load("graph-layout.js");
const logs = await load("log-filter.js");

const run = (o: Record<string, unknown> = {}) => ({
  id: 1,
  flowId: 3,
  flowName: "etl",
  project: "data",
  labels: ["gpu"],
  state: "Running",
  createdAt: 1_000_000,
  ...o,
});

describe("format", () => {
  test("durations read naturally at every scale", () => {
    assert.equal(format.duration(850), "850 ms");
    assert.equal(format.duration(1234), "1.23 s");
    assert.equal(format.duration(12_345), "12.3 s");
    assert.equal(format.duration(245_000), "4 min 05 s");
    assert.equal(format.duration(2 * 3600_000 + 3 * 60_000), "2 h 03 min");
    assert.equal(format.duration(3 * 86400_000 + 4 * 3600_000), "3 d 4 h");
    assert.equal(format.duration(null), "–");
  });
  test("relative times say ago and in", () => {
    assert.equal(format.relative(0, 12_000), "12.0 s ago");
    assert.equal(format.relative(300_000, 0), "in 5 min 00 s");
    assert.equal(format.relative(100, 500), "just now");
  });
  test("every run state has a colour family and the finished ones are known", () => {
    const families = format.RUN_STATES.map(format.stateFamily);
    assert.deepEqual(families, ["idle", "wait", "run", "run", "off", "ok", "bad", "off", "bad"]);
    assert.equal(format.isFinished("Crashed"), true);
    assert.equal(format.isFinished("Cancelling"), false);
  });
  test("brief cuts long JSON and clocks are described", () => {
    assert.equal(format.brief({ a: "x".repeat(100) }, 10), '{"a":"xxx…');
    assert.equal(format.clockText({ type: "interval", every: 300 }), "every 5 min 00 s");
    assert.equal(
      format.clockText({ type: "cron", cron: "0 9 * * 1-5", timezone: "Europe/Paris" }),
      "cron 0 9 * * 1-5 (Europe/Paris)",
    );
    assert.equal(format.count(100000), "100,000");
  });
});

describe("run filters", () => {
  test("round-trip through the hash query and become the REST query", () => {
    const f = filters.parseFilters(
      new URLSearchParams("flow=3&state=Running,Failed&label=gpu&window=1h"),
    );
    assert.deepEqual(f, { flow: "3", states: ["Running", "Failed"], label: "gpu", window: "1h" });
    assert.equal(filters.filtersToQuery(f), "flow=3&state=Running%2CFailed&label=gpu&window=1h");
    assert.deepEqual(filters.filtersToApi(f, 10_000_000), {
      limit: 100,
      flow: "3",
      state: "Running,Failed",
      label: "gpu",
      since: 10_000_000 - 3_600_000,
    });
    assert.equal(filters.parseFilters(new URLSearchParams("window=bogus")).window, "");
  });
  test("a live run matches by flow id, name or project/name, state, label and window", () => {
    const f = (o: Record<string, unknown>) => ({
      flow: "",
      states: [],
      label: "",
      window: "",
      ...o,
    });
    assert.ok(filters.runMatches(run(), f({ flow: "3" }), 0));
    assert.ok(filters.runMatches(run(), f({ flow: "data/etl" }), 0));
    assert.ok(filters.runMatches(run(), f({ flow: "etl" }), 0));
    assert.ok(!filters.runMatches(run(), f({ flow: "4" }), 0));
    assert.ok(!filters.runMatches(run(), f({ states: ["Failed"] }), 0));
    assert.ok(!filters.runMatches(run(), f({ label: "cpu" }), 0));
    assert.ok(!filters.runMatches(run(), f({ window: "1h" }), 1_000_000 + 3_600_001));
    assert.ok(filters.runMatches(run(), f({ window: "1h" }), 1_000_000 + 3_600_000));
  });
  test("upsert keeps newest first, replaces, drops non-matching and caps the list", () => {
    let list = [run({ id: 5 }), run({ id: 2 })];
    list = filters.upsertRun(list, run({ id: 3 }), true);
    assert.deepEqual(
      list.map((r: { id: number }) => r.id),
      [5, 3, 2],
    );
    list = filters.upsertRun(list, run({ id: 3, state: "Success" }), true);
    assert.equal(list[1].state, "Success");
    list = filters.upsertRun(list, run({ id: 5 }), false);
    assert.deepEqual(
      list.map((r: { id: number }) => r.id),
      [3, 2],
    );
    list = filters.upsertRun(list, run({ id: 9 }), true, 2);
    assert.deepEqual(
      list.map((r: { id: number }) => r.id),
      [9, 3],
    );
    assert.equal(filters.upsertRun(list, run({ id: 1 }), false), list);
  });
});

describe("run form", () => {
  const fields = form.parameterFields([
    { name: "n", required: false, default: 10 },
    { name: "who", required: false, default: "world" },
    { name: "fast", required: false, default: true },
    { name: "cfg", required: false, default: { a: 1 } },
    { name: "items", required: true },
  ]);
  test("fields start from the defaults, strings bare", () => {
    assert.deepEqual(
      fields.map((f: { text: string; kind: string }) => [f.text, f.kind]),
      [
        ["10", "number"],
        ["world", "string"],
        ["true", "boolean"],
        ['{"a":1}', "json"],
        ["", "json"],
      ],
    );
  });
  test("unchanged defaults are left to the flow; typed values are read by kind", () => {
    const texts = { n: "10", who: "42", fast: "false", cfg: '{"a":1}', items: "[1,2]" };
    assert.deepEqual(form.readParameters(fields, texts), {
      parameters: { who: "42", fast: false, items: [1, 2] },
    });
    assert.deepEqual(
      form.readParameters(fields, { ...texts, items: "just text" }).parameters.items,
      "just text",
    );
  });
  test("bad values and missing required ones are errors naming the parameter", () => {
    const r = form.readParameters(fields, { n: "ten", fast: "maybe", items: "" });
    assert.deepEqual(r.errors, [
      'n must be a number, not "ten"',
      'fast must be true or false, not "maybe"',
      "items is required: type a value (JSON or text)",
    ]);
    assert.deepEqual(form.readLabels(" gpu, eu  big "), ["gpu", "eu", "big"]);
  });
});

describe("task counts", () => {
  test("a small run's table keeps the latest state per task run and counts per name", () => {
    const t = new tv.TaskTable();
    t.apply([
      { task: "b", mapIndex: -1, state: "Pending" },
      { task: "a", mapIndex: 1, state: "Running" },
      { task: "a", mapIndex: 0, state: "Running" },
    ]);
    t.apply([{ task: "a", mapIndex: 0, state: "Success" }]);
    assert.equal(t.size, 3);
    assert.deepEqual(
      t.rows().map((r: { task: string; mapIndex: number }) => `${r.task}${r.mapIndex}`),
      ["a0", "a1", "b-1"],
    );
    assert.deepEqual(t.summary(), {
      total: 3,
      tasks: [
        { task: "a", total: 2, states: { Success: 1, Running: 1 } },
        { task: "b", total: 1, states: { Pending: 1 } },
      ],
    });
  });
  test("a node takes Failed over Running over done, with the done count", () => {
    assert.deepEqual(tv.nodeState({ total: 4, states: { Success: 2, Running: 1, Failed: 1 } }), {
      state: "Failed",
      done: 3,
      total: 4,
    });
    assert.equal(tv.nodeState({ total: 2, states: { Success: 1, Running: 1 } }).state, "Running");
    assert.equal(tv.nodeState({ total: 2, states: { Success: 2 } }).state, "Success");
    assert.equal(tv.nodeState({ total: 3, states: { Pending: 2, Success: 1 } }).state, "Pending");
  });
  test("bar segments follow the state order and keep tiny shares visible", () => {
    const segs = tv.barSegments({ Running: 1, Success: 999 }, 1000, tv.TASK_STATE_ORDER);
    assert.deepEqual(
      segs.map((s: { state: string; pct: number }) => [s.state, s.pct]),
      [
        ["Success", 99.9],
        ["Running", 0.5],
      ],
    );
  });
  test("throttle runs at once, then folds a burst into one trailing call", () => {
    let now = 0;
    let calls = 0;
    const pending: Array<() => void> = [];
    const t = tv.throttle(() => calls++, 1000, {
      set: (fn: () => void) => pending.push(fn),
      clear: () => pending.splice(0),
    });
    t.setClock(() => now);
    t();
    assert.equal(calls, 1);
    for (let i = 0; i < 100; i++) t();
    assert.equal(calls, 1);
    assert.equal(pending.length, 1);
    now = 1000;
    pending.shift()!();
    assert.equal(calls, 2);
  });
});

describe("Gantt layout", () => {
  test("rows per worker, bars in pixels, unfinished bars end now", () => {
    const g = gl.ganttLayout(
      [
        { task: "a", mapIndex: 0, state: "Success", worker: "w2", startedAt: 0, endedAt: 500 },
        { task: "a", mapIndex: 1, state: "Running", worker: "w1", startedAt: 500, endedAt: null },
      ],
      { width: 100, now: 1000 },
    );
    assert.deepEqual(
      g.rows.map((r: { key: string }) => r.key),
      ["w1", "w2"],
    );
    assert.deepEqual(
      g.rows.map((r: { bars: Array<{ x: number; w: number }> }) => [r.bars[0]!.x, r.bars[0]!.w]),
      [
        [50, 50],
        [0, 50],
      ],
    );
    assert.equal(g.t1, 1000);
  });
  test("100,000 tiny task runs on 4 workers merge to at most a few bars per pixel column", () => {
    const items = [];
    for (let i = 0; i < 100_000; i++)
      items.push({
        task: "nap",
        mapIndex: i,
        state: i % 1000 === 0 ? "Failed" : "Success",
        worker: `w${i % 4}`,
        startedAt: i * 2,
        endedAt: i * 2 + 7,
      });
    const g = gl.ganttLayout(items, { width: 800, now: 300_000 });
    assert.equal(g.rows.length, 4);
    const bars = g.rows.reduce((s: number, r: { bars: unknown[] }) => s + r.bars.length, 0);
    assert.ok(bars <= 4 * 3 * 100 + 4 * 2, `bars ${bars}`);
    const merged = g.rows.reduce(
      (s: number, r: { bars: Array<{ n: number }> }) => s + r.bars.reduce((a, b) => a + b.n, 0),
      0,
    );
    assert.equal(merged, 100_000, "every task run is inside one bar");
    assert.ok(g.ticks.length >= 2 && g.ticks.length <= 9);
  });
  test("rows beyond the maximum are counted, not drawn", () => {
    const items = Array.from({ length: 50 }, (_, i) => ({
      task: `t${i}`,
      mapIndex: -1,
      state: "Success",
      worker: null,
      startedAt: i,
      endedAt: i + 1,
    }));
    const g = gl.ganttLayout(items, { width: 100, now: 100, by: "task", maxRows: 10 });
    assert.equal(g.rows.length, 10);
    assert.equal(g.hiddenRows, 40);
  });
});

describe("graph layout", () => {
  test("each task sits right of its deepest upstream; edges follow the graph", () => {
    const g = graph.graphLayout([
      { name: "load", upstream: [] },
      { name: "x", upstream: ["load"] },
      { name: "y", upstream: ["load", "x"] },
      { name: "other", upstream: [] },
    ]);
    const col = Object.fromEntries(
      g.nodes.map((n: { name: string; col: number }) => [n.name, n.col]),
    );
    assert.deepEqual(col, { load: 0, x: 1, y: 2, other: 0 });
    assert.equal(g.edges.length, 3);
    assert.equal(g.width, 3 * 150 + 2 * 50);
    assert.equal(g.height, 2 * 36 + 18);
  });
  test("a cycle in bad data does not loop forever", () => {
    const g = graph.graphLayout([
      { name: "a", upstream: ["b"] },
      { name: "b", upstream: ["a"] },
    ]);
    assert.equal(g.nodes.length, 2);
  });
});

describe("log filter", () => {
  const line = {
    seq: 1,
    time: new Date(2026, 0, 1, 12, 0, 1, 250).getTime(),
    level: "WARNING",
    name: null,
    message: "Slow Worker",
    task: "nap",
    mapIndex: 17,
    worker: "w-1",
  };
  test("level threshold and case-insensitive search", () => {
    assert.ok(logs.logMatches(line, "INFO", ""));
    assert.ok(!logs.logMatches(line, "ERROR", ""));
    assert.ok(logs.logMatches(line, "DEBUG", "slow w"));
    assert.ok(logs.logMatches(line, "DEBUG", "NAP:17"));
    assert.ok(!logs.logMatches(line, "DEBUG", "fast"));
    assert.equal(logs.logText(line), "12:00:01.250 WARNING [nap:17 @w-1] Slow Worker");
  });
  test("highlight splits around every hit", () => {
    assert.deepEqual(logs.highlight("abcABCx", "bc"), [
      { text: "a", hit: false },
      { text: "bc", hit: true },
      { text: "A", hit: false },
      { text: "BC", hit: true },
      { text: "x", hit: false },
    ]);
  });
});

test("throttle - its default timers work when called detached (as a browser needs)", async () => {
  let calls = 0;
  const t = tv.throttle(() => calls++, 20);
  t();
  t();
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(calls, 2);
});
