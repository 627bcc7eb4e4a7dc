import assert from "node:assert/strict";
import { test } from "node:test";
import { SchedulerDriver, sends } from "./fixtures/scheduler-driver.ts";
import { encodeValue } from "../../src/cluster/wire/codec.ts";
import type { GraphSpec } from "../../src/graph/task-spec.ts";
import { OutcomeCode } from "../../src/cluster/messages.ts";
import { node } from "../graph/graph-driver.ts";
import { doneMsg } from "./fixtures/done-reports.ts";

/** inc.map([1,2,3]) then sum: constant (0), mapped inc (1), sum (2). */
const graph: GraphSpec = {
  nodes: [
    node("xs", { constant: { value: [1, 2, 3] } }),
    node("inc", { mapped: true, args: [{ kind: "ref", node: 0, mode: "mapped" }] }),
    node("sum", { args: [{ kind: "ref", node: 1, mode: "whole" }] }),
  ],
};
const [MAPPED, SUCCESS, FAILED, TRIGGER_FAILED] = [4, 3, 6, 7];

function setup(live: boolean) {
  const s = new SchedulerDriver();
  s.addWorker(1, "w1", "tls://w1", 4);
  s.drain();
  s.submitGraph(100, 7, graph, [2], live);
  s.drain();
  return s;
}

const due = (s: SchedulerDriver) => s.handle({ type: "task-runs-due", stimulusId: "due" });

test("scheduler task-runs - a live run's client gets the latest state of each changed task run per tick, with start, end and worker", () => {
  const s = setup(true);
  s.now = 2_000_000;
  s.fromWorker(1, { t: "started", run: 1, keys: [1, 0] });
  s.now = 2_000_050;
  s.fromWorker(
    1,
    doneMsg(1, [
      [1, 0, OutcomeCode.success, 50],
      [1, 1, OutcomeCode.success, 3],
    ]),
  );
  s.drain();
  const first = sends(due(s), "task-runs", 100);
  assert.deepEqual(
    first.map((x) => x.msg),
    [
      {
        t: "task-runs",
        ref: 7,
        base: 2_000_000,
        workers: ["w1"],
        // the parent (Mapped), child 0 (reported started), child 1 (fast: its start from its duration)
        runs: Int32Array.from([
          ...[1, -1, MAPPED, -1, -1, -1],
          ...[1, 0, SUCCESS, 0, 50, 0],
          ...[1, 1, SUCCESS, 47, 50, 0],
        ]),
        messages: [],
      },
    ],
  );
  assert.deepEqual(sends(due(s), "task-runs"), [], "nothing changed: no message");

  s.drain();
  s.now = 2_000_100;
  s.fromWorker(1, doneMsg(1, [[1, 2, OutcomeCode.failed, 10, -1, undefined, "boom"]]));
  // the failure ends the run (sum cannot run): its last changes go out with it, before `result`
  const second = sends(s.drain(), "task-runs", 100).map((x) => x.msg);
  assert.equal(second.length, 1);
  assert.equal(second[0]!.base, 2_000_090);
  assert.deepEqual(
    [...second[0]!.runs],
    [...[1, 2, FAILED, 0, 10, 0], ...[2, -1, TRIGGER_FAILED, -1, 10, -1]],
  );
  assert.deepEqual(second[0]!.messages[0], [0, "boom"]);
});

test("scheduler task-runs - the last changes go out before the run's result", () => {
  const s = setup(true);
  s.fromWorker(
    1,
    doneMsg(
      1,
      [0, 1, 2].map((c) => [1, c, OutcomeCode.success, 1]),
    ),
  );
  s.drain();
  due(s);
  s.fromWorker(1, { t: "started", run: 1, keys: [2, -1] });
  const sum = encodeValue(9);
  s.fromWorker(
    1,
    doneMsg(1, [[2, -1, OutcomeCode.success, 2, -1, undefined, undefined, undefined, sum]]),
  );
  const cmds = s.drain();
  const kinds = cmds.flatMap((c) => (c.k === "send" && c.to === 100 ? [c.msg.t] : []));
  assert.deepEqual(kinds.slice(-2), ["task-runs", "result"]);
  const last = sends(cmds, "task-runs", 100).at(-1)!.msg;
  assert.deepEqual([...last.runs.slice(0, 3)], [2, -1, SUCCESS]);
});

test("scheduler task-runs - a run submitted without live gets none", () => {
  const s = setup(false);
  s.fromWorker(1, { t: "started", run: 1, keys: [1, 0] });
  s.fromWorker(1, doneMsg(1, [[1, 0, OutcomeCode.success, 5]]));
  s.drain();
  assert.equal(s.core.hasLiveRuns, false);
  assert.deepEqual(sends(due(s), "task-runs"), []);
});
