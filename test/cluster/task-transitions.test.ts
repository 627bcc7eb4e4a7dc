import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InvalidTransitionError } from "../../src/cluster/errors.ts";
import { OutcomeCode } from "../../src/cluster/messages.ts";
import { transition } from "../../src/cluster/scheduler/task-transitions.ts";
import { encodeValue } from "../../src/cluster/wire/codec.ts";
import type { GraphSpec } from "../../src/graph/task-spec.ts";
import { node } from "../graph/graph-driver.ts";
import { SchedulerDriver } from "./fixtures/scheduler-driver.ts";
import { doneMsg } from "./fixtures/done-reports.ts";

const one: GraphSpec = { nodes: [node("k")] };
const graphBytes = encodeValue(one);
const params = encodeValue({});

/** One worker (or two), one single-task run from client 100 (run 1, ref 7), kept. */
function setup(workers = 1) {
  const s = new SchedulerDriver();
  for (let i = 1; i <= workers; i++) s.addWorker(i, `w${i}`, `tcp://w${i}`, 1);
  s.drain();
  const cmds = s.submit(100, {
    t: "submit",
    ref: 7,
    flowRunId: "fr",
    flowName: "f",
    bundle: "h",
    graph: graphBytes,
    params,
    keep: [0],
  });
  s.drain();
  return { s, cmds };
}

const runMsg = {
  t: "run",
  run: 1,
  bundle: "h",
  flowName: "f",
  flowRunId: "fr",
  graph: graphBytes,
  params,
  keep: [0],
};
const compute = (to: number) => ({
  k: "send",
  to,
  // node 0, child -1, attempt 1, no measure, no arguments (see wire/compute-batch.ts)
  msg: { t: "compute", run: 1, tasks: new Int32Array([0, -1, 1, 0, 0]), tables: [] },
});
const moves = (s: SchedulerDriver) =>
  s.core.story("k").map((e) => `${e.from}>${e.to} ${e.stimulusId.replace(/-\d+$/, "")}`);

describe("scheduler task transitions: exact commands", () => {
  test("queued -> processing: the worker is told about the run, then gets the task", () => {
    const { cmds } = setup();
    assert.deepEqual(cmds, [{ k: "send", to: 1, msg: runMsg }, compute(1)]);
  });

  test("processing -> running -> finished, then the gather and the result", () => {
    const { s } = setup();
    assert.deepEqual(s.fromWorker(1, { t: "started", run: 1, keys: [0, -1] }), [
      { k: "send", to: 100, msg: { t: "started", ref: 7 } },
    ]);
    assert.deepEqual(s.fromWorker(1, doneMsg(1, [[0, -1, OutcomeCode.success, 2]])), [
      { k: "send", to: 1, msg: { t: "gather", run: 1, keys: ["0|-1"] } },
    ]);
    const value = encodeValue(42);
    const end = s.fromWorker(1, { t: "gathered", run: 1, keys: ["0|-1"], values: [value] });
    assert.equal(end.length, 2);
    assert.deepEqual(end[0], {
      k: "send",
      to: 100,
      msg: {
        t: "result",
        ref: 7,
        snapshot: (end[0] as { msg: { snapshot: unknown } }).msg.snapshot,
        keys: ["0|-1"],
      },
      bulk: [value],
    });
    assert.deepEqual(end[1], { k: "send", to: 1, msg: { t: "forget", run: 1 }, lazy: true });
    assert.deepEqual(moves(s), [
      "queued>processing submit",
      "processing>running started",
      "running>finished done",
    ]);
  });

  test("worker loss: a processing task goes back to the queue and on to the other worker", () => {
    const { s } = setup(2);
    // w1 or w2 got it; the other one stays.
    const holder = s.core.runs.get(1)!.active.values().next().value!.worker;
    const other = holder === 1 ? 2 : 1;
    assert.deepEqual(s.removeWorker(holder), [
      { k: "send", to: other, msg: { t: "peer-gone", id: holder } },
      { k: "send", to: other, msg: runMsg },
      compute(other),
    ]);
    assert.deepEqual(moves(s), [
      "queued>processing submit",
      "processing>queued left",
      "queued>processing left",
    ]);
  });

  test("worker loss of a running task, three times: erred with WorkerLostError, and the run ends", () => {
    const { s } = setup();
    for (let id = 1; id <= 3; id++) {
      if (id > 1) s.addWorker(id, `w${id}`, `tcp://w${id}`, 1);
      s.fromWorker(id, { t: "started", run: 1, keys: [0, -1] });
      s.drain();
      const cmds = s.removeWorker(id);
      if (id < 3) assert.deepEqual(cmds, []);
      else {
        assert.equal(cmds.length, 2);
        assert.deepEqual(cmds[0], {
          k: "send",
          to: 100,
          lazy: true,
          msg: {
            t: "ended",
            ref: 7,
            node: 0,
            child: -1,
            state: "Failed",
            message:
              "WorkerLostError: task 'k' was running on 3 workers that died (w1, w2, w3); it probably crashes its worker process (out of memory, process.exit, a native crash); fix the task or give workers more memory",
          },
        });
        assert.equal(cmds[1]!.k === "send" && cmds[1]!.msg.t, "result");
      }
    }
    assert.deepEqual(moves(s).slice(-2), ["processing>running started", "running>erred left"]);
  });

  test("stealing: a processing task handed back is placed again by room; a running one stays", () => {
    const { s } = setup(2);
    assert.equal(s.core.runs.get(1)!.active.values().next().value!.worker, 1);
    // Both workers have the same room again: the first one gets it (it already knows the run).
    assert.deepEqual(s.fromWorker(1, { t: "stolen", keys: [1, 0, -1] }), [compute(1)]);
    s.fromWorker(1, { t: "started", run: 1, keys: [0, -1] });
    assert.deepEqual(s.fromWorker(1, { t: "stolen", keys: [1, 0, -1] }), []);
    assert.equal(s.processing, 1);
    assert.deepEqual(moves(s), [
      "queued>processing submit",
      "processing>queued stolen",
      "queued>processing stolen",
      "processing>running started",
    ]);
  });

  test("retirement: a leaving worker with nothing to hand over is let go at once", () => {
    const { s } = setup(2);
    const holder = s.core.runs.get(1)!.active.values().next().value!.worker;
    const other = holder === 1 ? 2 : 1;
    assert.deepEqual(s.retire(other), [{ k: "send", to: other, msg: { t: "retired" } }]);
  });

  test("an impossible transition names the task, both states and the stimulus", () => {
    const { s } = setup();
    const rec = s.core.runs.get(1)!.active.values().next().value!;
    assert.throws(
      () => transition(s.core, rec, "waiting", "test-1", { lost: [] }),
      (e: unknown) =>
        e instanceof InvalidTransitionError &&
        e.code === "FG_CLUSTER_INVALID_TRANSITION" &&
        e.taskKey === "1/k" &&
        e.from === "processing" &&
        e.to === "waiting" &&
        e.stimulusId === "test-1" &&
        /queued -> processing \(submit-\d+\)/.test(e.message),
    );
  });

  test("the story carries the injected clock's time", () => {
    const { s } = setup();
    s.now += 5;
    s.fromWorker(1, { t: "started", run: 1, keys: [0, -1] });
    const times = s.core.story("1/k").map((e) => e.time);
    assert.deepEqual(times, [1_000_000, 1_000_005]);
  });
});
