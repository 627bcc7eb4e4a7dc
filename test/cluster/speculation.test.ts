import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { OutcomeCode } from "../../src/cluster/messages.ts";
import { SPECULATION_DEPTH } from "../../src/cluster/scheduler/speculation-hint.ts";
import { encodeValue } from "../../src/cluster/wire/codec.ts";
import type { GraphSpec } from "../../src/graph/task-spec.ts";
import { node } from "../graph/graph-driver.ts";
import { SchedulerDriver, sends } from "./fixtures/scheduler-driver.ts";
import { wireTasks } from "./fixtures/wire-tasks.ts";
import { doneMsg } from "./fixtures/done-reports.ts";

const ref = (n: number) => ({ kind: "ref" as const, node: n, mode: "whole" as const });
/** a -> b -> c, c kept. */
const chain: GraphSpec = {
  nodes: [node("a"), node("b", { args: [ref(0)] }), node("c", { args: [ref(1)] })],
};
const ok = (n: number) => [n, -1, OutcomeCode.success, 0.1] as [number, number, number, number];

function submit(s: SchedulerDriver, spec: GraphSpec, keep: number[]) {
  return s.submitGraph(100, 7, spec, keep);
}

function setup(spec = chain, workers = 1, speculate = true) {
  const s = new SchedulerDriver(speculate);
  for (let i = 1; i <= workers; i++) s.addWorker(i, `w${i}`, `tcp://w${i}`, 1);
  s.drain();
  const cmds = submit(s, spec, [spec.nodes.length - 1]);
  return { s, cmds };
}

const moves = (s: SchedulerDriver, task: string) =>
  s.core.story(task).map((e) => `${e.from}>${e.to} ${e.stimulusId.replace(/-\d+$/, "")}`);

describe("speculative assignment: the scheduler's side", () => {
  test("the compute of a chain's head carries its dependents as nested `next` hints", () => {
    const { cmds } = setup();
    assert.deepEqual(sends(cmds, "compute"), [
      {
        to: 1,
        msg: {
          t: "compute",
          run: 1,
          ...wireTasks([0, -1, 1, 0, [], []]),
          next: [[0, -1, [1, 1, 0, [[1, 0, -1]], [1], [2, 1, 0, [[1, 1, -1]], [1]]]]],
        },
      },
    ]);
  });

  test("no hints when speculation is off", () => {
    const { cmds } = setup(chain, 1, false);
    assert.deepEqual(sends(cmds, "compute")[0]!.msg, {
      t: "compute",
      run: 1,
      ...wireTasks([0, -1, 1, 0, [], []]),
    });
  });

  test("no hint for a dependent that waits for another task, or that is mapped", () => {
    const diamond: GraphSpec = {
      nodes: [node("a"), node("x"), node("b", { args: [ref(0), ref(1)] })],
    };
    const { cmds } = setup(diamond);
    assert.deepEqual(sends(cmds, "compute")[0]!.msg, {
      t: "compute",
      run: 1,
      ...wireTasks([1, -1, 1, 0, [], []], [0, -1, 1, 0, [], []]),
    });
    const mapped: GraphSpec = {
      nodes: [
        node("a"),
        node("m", { mapped: true, args: [{ kind: "ref", node: 0, mode: "mapped" }] }),
      ],
    };
    // (measure 1: the mapped dependent needs its length)
    assert.deepEqual(sends(setup(mapped).cmds, "compute")[0]!.msg, {
      t: "compute",
      run: 1,
      ...wireTasks([0, -1, 1, 1, [], []]),
    });
  });

  test("hints reach SPECULATION_DEPTH links ahead", () => {
    const nodes = [node("l0")];
    for (let i = 1; i < SPECULATION_DEPTH + 8; i++)
      nodes.push(node(`l${i}`, { args: [ref(i - 1)] }));
    const { cmds } = setup({ nodes });
    let depth = 0;
    let t: unknown = sends(cmds, "compute")[0]!.msg.next?.[0]?.[2];
    while (Array.isArray(t)) {
      depth++;
      t = t[5];
    }
    assert.equal(depth, SPECULATION_DEPTH);
  });

  test("accept: a claim in `done` moves the dependent queued -> processing on that worker, with no compute", () => {
    const { s } = setup();
    s.drain();
    const cmds = s.fromWorker(1, doneMsg(1, [ok(0)], [1, -1, 1]));
    assert.deepEqual(cmds, [{ k: "send", to: 100, msg: { t: "started", ref: 7 } }]);
    assert.deepEqual(moves(s, "b"), ["queued>processing done"]);
    assert.equal(s.processing, 1);
    assert.equal(s.queued, 0);
    // b's own outcome and claim on c: accepted the same way; a is released to the worker lazily.
    const next = s.fromWorker(1, doneMsg(1, [ok(1)], [2, -1, 1]));
    assert.deepEqual(next, [
      { k: "send", to: 1, msg: { t: "release", run: 1, node: 0 }, lazy: true },
    ]);
    assert.deepEqual(moves(s, "b"), ["queued>processing done", "processing>finished done"]);
    assert.deepEqual(moves(s, "c"), ["queued>processing done"]);
    const end = s.fromWorker(
      1,
      doneMsg(1, [
        [2, -1, OutcomeCode.success, 0.1, -1, undefined, undefined, undefined, encodeValue(3)],
      ]),
    );
    assert.deepEqual(
      end.map((c) => (c.k === "send" ? c.msg.t : c.k)),
      ["release", "result", "forget"],
    );
  });

  test("live task runs: a claimed dependent, once accepted, reaches the feed like any other task run", () => {
    const s = new SchedulerDriver(true);
    s.addWorker(1, "w1", "tcp://w1", 1);
    s.drain();
    s.submitGraph(100, 7, chain, [2], true);
    s.drain();
    s.now = 3_000_000;
    s.fromWorker(1, doneMsg(1, [ok(0)], [1, -1, 1]));
    s.now = 3_000_020;
    s.fromWorker(1, doneMsg(1, [[1, -1, OutcomeCode.success, 20]], [2, -1, 1]));
    const msgs = sends(s.handle({ type: "task-runs-due", stimulusId: "due" }), "task-runs", 100);
    assert.equal(msgs.length, 1);
    const SUCCESS = 3;
    // [node, child, state, start, end, worker] relative to base: b (claimed) started 20 ms before its end
    assert.deepEqual(msgs[0]!.msg.workers, ["w1"]);
    assert.deepEqual(
      [...msgs[0]!.msg.runs],
      [...[0, -1, SUCCESS, 0, 0, 0], ...[1, -1, SUCCESS, 0, 20, 0]],
    );
  });

  test("take back: a claim whose task is not on the claiming worker (reassigned)", () => {
    const { s } = setup(chain, 2);
    s.drain();
    // a went to worker 1 (the roomiest first): a stale report from worker 2 claims b.
    const cmds = s.fromWorker(2, doneMsg(1, [ok(0)], [1, -1, 1]));
    assert.deepEqual(cmds, [
      { k: "send", to: 100, msg: { t: "started", ref: 7 } },
      { k: "send", to: 2, msg: { t: "take-back", run: 1, keys: [1, -1] } },
    ]);
    assert.deepEqual(moves(s, "b"), []);
    assert.deepEqual(moves(s, "a"), ["queued>processing submit"]);
  });

  test("take back: a claim on an attempt the scheduler did not command is queued as usual", () => {
    const { s } = setup();
    s.drain();
    const cmds = s.fromWorker(1, doneMsg(1, [ok(0)], [1, -1, 2]));
    assert.deepEqual(cmds, [
      { k: "send", to: 100, msg: { t: "started", ref: 7 } },
      { k: "send", to: 1, msg: { t: "take-back", run: 1, keys: [1, -1] } },
      {
        k: "send",
        to: 1,
        msg: {
          t: "compute",
          run: 1,
          ...wireTasks([1, -1, 1, 0, [[1, 0, -1]], [1]]),
          next: [[1, -1, [2, 1, 0, [[1, 1, -1]], [1]]]],
        },
      },
    ]);
    assert.deepEqual(moves(s, "b"), ["queued>processing done"]);
  });

  test("a cancelled run: the worker is told to cancel and forget it, and a late claim is ignored", () => {
    const { s } = setup();
    s.drain();
    const cancel = s.handle({
      type: "client-message",
      from: 100,
      msg: { t: "cancel", ref: 7 },
      stimulusId: "cancel-1",
    });
    assert.deepEqual(
      cancel.filter((c) => c.k === "send" && c.to === 1).map((c) => c.k === "send" && c.msg),
      [
        { t: "cancel", run: 1 },
        { t: "release", run: 1, node: 0 },
        { t: "release", run: 1, node: 1 },
        { t: "forget", run: 1 },
      ],
    );
    assert.deepEqual(s.fromWorker(1, doneMsg(1, [ok(0)], [1, -1, 1])), []);
    assert.deepEqual(moves(s, "b"), []);
  });
});
