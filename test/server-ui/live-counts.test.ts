// The run page's live task bookkeeping (src/server/ui/static/live-counts.js), loaded as the
// browser loads it: counts per task name kept from live task-state events after one summary,
// and the Gantt's bounded sample.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

/* eslint-disable @typescript-eslint/no-explicit-any -- the module is browser JavaScript */
const lc: any = await import(
  new URL("../../src/server/ui/static/live-counts.js", import.meta.url).href
);
const tv: any = await import(
  new URL("../../src/server/ui/static/task-view.js", import.meta.url).href
);

const nap = (i: number, state: string, extra: Record<string, unknown> = {}) => ({
  task: "nap",
  mapIndex: i,
  state,
  worker: "w1",
  startedAt: null,
  endedAt: null,
  updatedAt: 1,
  ...extra,
});

describe("live counts", () => {
  test("task runs counted unfinished in the summary move to their new state; new ones add to the total", () => {
    const c = new lc.LiveCounts({
      total: 5,
      tasks: [
        { task: "items", total: 1, states: { Success: 1 } },
        { task: "nap", total: 4, states: { Running: 3, Success: 1 } },
      ],
    });
    c.apply([nap(0, "Success"), nap(1, "Success")]);
    assert.deepEqual(c.summary().tasks[1], {
      task: "nap",
      total: 4,
      states: { Running: 1, Success: 3 },
    });
    assert.equal(c.guessed, 2);
    // the same task run again: its previous state is now known (no double count)
    c.apply([nap(1, "Success"), nap(1, "Failed")]);
    assert.deepEqual(c.summary().tasks[1]!.states, { Running: 1, Success: 2, Failed: 1 });
    c.apply([nap(2, "Success"), nap(7, "Running"), { ...nap(-1, "Running"), task: "count" }]);
    assert.deepEqual(c.summary(), {
      total: 7,
      tasks: [
        { task: "count", total: 1, states: { Running: 1 } },
        { task: "items", total: 1, states: { Success: 1 } },
        { task: "nap", total: 5, states: { Success: 3, Failed: 1, Running: 1 } },
      ],
    });
  });

  test("100,000 task runs going Running → Success one event at a time end exact", () => {
    const N = 100_000;
    const c = new lc.LiveCounts({
      total: N,
      tasks: [{ task: "nap", total: N, states: { Running: N } }],
    });
    for (let i = 0; i < N; i += 1000)
      c.apply(Array.from({ length: 1000 }, (_, k) => nap(i + k, "Success")));
    assert.deepEqual(c.summary(), {
      total: N,
      tasks: [{ task: "nap", total: N, states: { Success: N } }],
    });
  });

  test("task runs first seen Running while counted ones are Running too are new ones", () => {
    const c = new lc.LiveCounts({
      total: 2,
      tasks: [{ task: "nap", total: 2, states: { Running: 2 } }],
    });
    c.apply([nap(2, "Running"), nap(3, "Running"), nap(0, "Success")]);
    assert.deepEqual(c.summary().tasks[0], {
      task: "nap",
      total: 4,
      states: { Running: 3, Success: 1 },
    });
  });

  test("a reset keeps what was seen live out of the pool of guessable task runs", () => {
    const c = new lc.LiveCounts({
      total: 3,
      tasks: [{ task: "nap", total: 3, states: { Pending: 3 } }],
    });
    c.apply([nap(0, "Running")]);
    // the newer summary counts nap[0] as Running already
    c.reset({ total: 3, tasks: [{ task: "nap", total: 3, states: { Running: 1, Pending: 2 } }] });
    assert.equal(c.guessed, 0);
    c.apply([nap(0, "Success"), nap(1, "Running")]);
    assert.deepEqual(c.summary().tasks[0]!.states, { Success: 1, Running: 1, Pending: 1 });
    c.apply([nap(2, "Running"), nap(3, "Running")]);
    assert.deepEqual(c.summary().tasks[0], {
      task: "nap",
      total: 4,
      states: { Success: 1, Running: 3 },
    });
  });

  test("seeded with a small run's rows, counts are exact from the first event", () => {
    const t = new tv.TaskTable();
    t.apply([nap(0, "Running"), nap(1, "Pending")]);
    const c = new lc.LiveCounts(t.summary(), t.rows());
    c.apply([nap(1, "Running"), nap(2, "Running")]);
    assert.equal(c.guessed, 0);
    assert.deepEqual(c.summary().tasks[0], { task: "nap", total: 3, states: { Running: 3 } });
  });
});

describe("task table", () => {
  test("an older row (by updatedAt) does not replace a newer one from the stream", () => {
    const t = new tv.TaskTable();
    t.apply([nap(0, "Success", { updatedAt: 20 })]);
    t.apply([nap(0, "Running", { updatedAt: 10 })]);
    assert.equal(t.rows()[0].state, "Success");
  });
});

describe("Gantt sample", () => {
  const item = (i: number, startedAt: number, state = "Running") => ({
    task: "nap",
    mapIndex: i,
    state,
    worker: "w1",
    startedAt,
    endedAt: null,
  });

  test("sampled task runs take their new state; later starts join up to the cap, then by reservoir", () => {
    let r = 0.99;
    const s = new lc.GanttSample({ total: 10, items: [item(0, 100), item(5, 150)] }, 3, () => r);
    assert.equal(s.apply([nap(5, "Success", { startedAt: 150, endedAt: 170 })]), true);
    assert.deepEqual(
      s.items().map((i: any) => [i.mapIndex, i.state, i.endedAt]),
      [
        [0, "Running", null],
        [5, "Success", 170],
      ],
    );
    // started before the timeline was read: already stood for by the sample
    assert.equal(s.apply([nap(3, "Success", { startedAt: 120, endedAt: 180 })]), false);
    assert.equal(s.total, 10);
    assert.equal(s.apply([nap(11, "Running", { startedAt: 200 })]), true);
    assert.equal(s.items().length, 3);
    // full: a new start replaces a sampled one only when the draw falls inside the sample
    assert.equal(s.apply([nap(12, "Running", { startedAt: 210 })]), false);
    r = 0;
    assert.equal(s.apply([nap(13, "Running", { startedAt: 220 })]), true);
    assert.deepEqual(
      s.items().map((i: any) => i.mapIndex),
      [13, 5, 11],
    );
    assert.equal(s.total, 13);
    assert.equal(s.apply([nap(0, "Success", { startedAt: 100, endedAt: 300 })]), false);
  });
});
