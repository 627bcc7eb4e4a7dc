import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SchedulerDriver, sends } from "./fixtures/scheduler-driver.ts";
import { encodeValue } from "../../src/cluster/wire/codec.ts";
import type { GraphSpec } from "../../src/graph/task-spec.ts";
import { OutcomeCode } from "../../src/cluster/messages.ts";
import { readComputeBatch } from "../../src/cluster/wire/compute-batch.ts";
import { node } from "../graph/graph-driver.ts";
import { doneMsg } from "./fixtures/done-reports.ts";

const wire = (m: { tasks: Int32Array; tables: Int16Array[] }) => [m.tasks, m.tables] as const;

/** inc.map([1,2,3]) then sum: constant (0), mapped inc (1), sum (2). */
const graph: GraphSpec = {
  nodes: [
    node("xs", { constant: { value: [1, 2, 3] } }),
    node("inc", { mapped: true, args: [{ kind: "ref", node: 0, mode: "mapped" }] }),
    node("sum", { args: [{ kind: "ref", node: 1, mode: "whole" }] }),
  ],
};

function setup() {
  const s = new SchedulerDriver();
  s.addWorker(1, "w1", "tls://w1", 1);
  s.addWorker(2, "w2", "tls://w2", 1);
  s.drain();
  s.submitGraph(100, 7, graph, [2]);
  return s;
}

describe("SchedulerState", () => {
  test("a map's children are spread over both workers in one compute batch each", () => {
    const s = setup();
    const cmds = s.drain();
    const computes = sends(cmds, "compute");
    assert.deepEqual(computes.map((c) => c.to).sort(), [1, 2]);
    const children = computes
      .flatMap((c) => readComputeBatch(c.msg.tasks, c.msg.tables).map((t) => t.c))
      .sort();
    assert.deepEqual(children, [0, 1, 2]);
    assert.equal(sends(cmds, "run").length, 2, "each worker is told about the run once");
  });

  test("a worker dying with a started task re-runs it elsewhere; its results are recomputed for the reduce", () => {
    const s = setup();
    const first = sends(s.drain(), "compute");
    const onW1 = readComputeBatch(...wire(first.find((c) => c.to === 1)!.msg));
    const onW2 = readComputeBatch(...wire(first.find((c) => c.to === 2)!.msg));
    s.fromWorker(
      1,
      doneMsg(
        1,
        onW1.map((t) => [t.n, t.c, OutcomeCode.success, 0.1]),
      ),
    );
    s.fromWorker(2, { t: "started", run: 1, keys: [onW2[0]!.n, onW2[0]!.c] });
    s.drain();
    s.removeWorker(1);
    let cmds = s.drain();
    const again = sends(cmds, "compute").flatMap((c) =>
      readComputeBatch(c.msg.tasks, c.msg.tables),
    );
    assert.ok(again.length > 0 || onW2.length > 0);
    // w2 finishes everything it has; the reduce then needs w1's lost results: they are recomputed on w2
    for (let round = 0; round < 5; round++) {
      const tasks = [...onW2.splice(0), ...again.splice(0)];
      if (tasks.length === 0) break;
      s.fromWorker(
        2,
        doneMsg(
          1,
          tasks.map((t) => [t.n, t.c, OutcomeCode.success, 0.1]),
        ),
      );
      cmds = s.drain();
      again.push(
        ...sends(cmds, "compute").flatMap((c) => readComputeBatch(c.msg.tasks, c.msg.tables)),
      );
      const gather = sends(cmds, "gather");
      if (gather.length) {
        s.fromWorker(2, {
          t: "gathered",
          run: 1,
          keys: gather[0]!.msg.keys,
          values: [encodeValue(9)],
        });
        const result = sends(s.drain(), "result");
        assert.equal(result.length, 1);
        assert.equal(result[0]!.to, 100);
        return;
      }
    }
    assert.fail("the run never finished");
  });

  test("three deaths while running the same task fail it with WorkerLostError", () => {
    const s = new SchedulerDriver();
    s.addWorker(1, "w1", "a", 1);
    s.submitGraph(100, 1, { nodes: [node("k")] }, [0]);
    for (let i = 0; i < 3; i++) {
      const id = i + 1;
      if (i > 0) s.addWorker(id, `w${id}`, "a", 1);
      s.drain();
      s.fromWorker(id, { t: "started", run: 1, keys: [0, -1] });
      s.removeWorker(id);
    }
    const cmds = s.drain();
    const ended = sends(cmds, "ended");
    assert.equal(ended.length, 1);
    assert.match(
      ended[0]!.msg.message as string,
      /WorkerLostError: task 'k' was running on 3 workers that died \(w1, w2, w3\)/,
    );
    assert.equal(sends(cmds, "result").length, 1);
  });
});

describe("SchedulerState work stealing", () => {
  test("an idle worker gets part of a busy worker's backlog, which the busy worker hands back", () => {
    const wide: GraphSpec = {
      nodes: [
        node("xs", { constant: { value: Array.from({ length: 60 }, (_, i) => i) } }),
        node("inc", { mapped: true, args: [{ kind: "ref", node: 0, mode: "mapped" }] }),
      ],
    };
    const s = new SchedulerDriver();
    s.addWorker(1, "w1", "a", 1);
    s.addWorker(2, "w2", "b", 1);
    s.avgMs = 0.1; // short tasks so far: both workers get large batches
    s.submitGraph(100, 1, wide, [1]);
    const first = sends(s.drain(), "compute");
    const on = (w: number) =>
      first.filter((c) => c.to === w).flatMap((c) => readComputeBatch(c.msg.tasks, c.msg.tables));
    assert.equal(on(1).length, 30);
    assert.equal(on(2).length, 30);
    // w2 finishes its share at once; w1 is stuck on slow ones
    s.fromWorker(
      2,
      doneMsg(
        1,
        on(2).map((t) => [t.n, t.c, OutcomeCode.success, 0.1]),
      ),
    );
    const steal = sends(s.drain(), "steal");
    assert.equal(steal.length, 1);
    assert.equal(steal[0]!.to, 1);
    const max = steal[0]!.msg.max as number;
    assert.ok(max >= 10 && max <= 15, `asks for about half the backlog, got ${max}`);
    assert.equal(sends(s.drain(), "steal").length, 0, "one request at a time");
    // w1 hands back the last `max` of its queue (not started)
    const back = on(1).slice(-max);
    s.fromWorker(1, { t: "stolen", keys: back.flatMap((t) => [1, t.n, t.c]) });
    const moved = sends(s.drain(), "compute");
    assert.deepEqual(
      moved.map((c) => c.to),
      [2],
    );
    assert.deepEqual(
      readComputeBatch(...wire(moved[0]!.msg))
        .map((t) => t.c)
        .sort((a, b) => a - b),
      back.map((t) => t.c).sort((a, b) => a - b),
    );
    // the rest finishes where it is; the run completes with every child once
    s.fromWorker(
      1,
      doneMsg(
        1,
        on(1)
          .slice(0, -max)
          .map((t) => [t.n, t.c, OutcomeCode.success, 50]),
      ),
    );
    s.fromWorker(
      2,
      doneMsg(
        1,
        back.map((t) => [t.n, t.c, OutcomeCode.success, 50]),
      ),
    );
    const gather = sends(s.drain(), "gather");
    assert.equal(gather.flatMap((g) => g.msg.keys as string[]).length, 60);
  });

  test("a task the busy worker already started is not moved", () => {
    const s = new SchedulerDriver();
    s.addWorker(1, "w1", "a", 1);
    s.submitGraph(100, 1, { nodes: [node("k")] }, [0]);
    s.drain();
    s.fromWorker(1, { t: "started", run: 1, keys: [0, -1] });
    s.fromWorker(1, { t: "stolen", keys: [1, 0, -1] });
    assert.equal(s.processing, 1);
    assert.equal(s.queued, 0);
  });
});
