import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EAGER_RESULT_BYTES, OutcomeCode } from "../../src/cluster/messages.ts";
import { decodeMessage, encodeMessage, encodeValue } from "../../src/cluster/wire/codec.ts";
import {
  DoneBatch,
  DoneReader,
  doneMessage,
  readDone,
  type DoneMessage,
  type DoneReport,
} from "../../src/cluster/wire/done-batch.ts";
import type { ThreadResult } from "../../src/cluster/worker/thread-messages.ts";
import { WorkerState, type WorkerCommand } from "../../src/cluster/worker/worker-state.ts";
import type { GraphSpec } from "../../src/graph/task-spec.ts";
import { node } from "../graph/graph-driver.ts";
import { runMessage, wireTasks as wire } from "./fixtures/wire-tasks.ts";

/** A message as the scheduler's connection hands it over: encoded and decoded by the codec. */
const overTheWire = (m: DoneMessage) => decodeMessage<DoneMessage[]>(encodeMessage([m]))[0]!;
/** Reports with their bytes as Buffers (the codec hands byte strings back as Buffers). */
const plain = (list: DoneReport[]) =>
  list.map(({ bytes, ...r }) => (bytes ? { ...r, bytes: Buffer.from(bytes) } : r));

describe("done batch: the wire form of `done`", () => {
  test("every kind of report survives the codec: success, measured, failed, timed out, skipped, a result sent along", () => {
    const small = encodeValue({ answer: 42 });
    const reports: DoneReport[] = [
      { node: 1, child: 0, code: OutcomeCode.success, ms: 0.25 },
      {
        node: 1,
        child: 1,
        code: OutcomeCode.success,
        ms: 1.5,
        length: 3,
        innerLengths: [2, -1, 0],
      },
      {
        node: 2,
        child: -1,
        code: OutcomeCode.failed,
        ms: 7,
        message: "boom",
        stack: "Error: boom\n  at x",
      },
      {
        node: 3,
        child: -1,
        code: OutcomeCode.timedOut,
        ms: 100,
        message: "timed out after 100 ms",
      },
      { node: 4, child: 5, code: OutcomeCode.skipped, ms: 0, message: "upstream skipped" },
      { node: 5, child: -1, code: OutcomeCode.success, ms: 2, length: 1, bytes: small },
    ];
    const sent = doneMessage(9, reports, [6, -1, 1]);
    const got = overTheWire(sent);
    assert.ok(got.tasks instanceof Int32Array, "task runs arrive as one Int32Array");
    assert.ok(got.ms instanceof Float64Array, "durations arrive as one Float64Array");
    assert.equal(got.run, 9);
    assert.deepEqual(got.claimed, [6, -1, 1]);
    assert.equal(got.extra?.length, 5, "only the reports with more to say have extras");
    const back = readDone(got);
    assert.deepEqual(plain(back), plain(reports));
  });

  test("the reader's outcomes are the graph's: one shared object for a plain success", () => {
    const r = new DoneReader(
      overTheWire(
        doneMessage(1, [
          { node: 0, child: 0, code: OutcomeCode.success, ms: 1 },
          { node: 0, child: 1, code: OutcomeCode.success, ms: 1 },
          { node: 1, child: -1, code: OutcomeCode.success, ms: 1, length: 2 },
          { node: 2, child: -1, code: OutcomeCode.failed, ms: 1, message: "no" },
          { node: 3, child: -1, code: OutcomeCode.skipped, ms: 1, message: "skip" },
        ]),
      ),
    );
    const plain = r.at(0).outcome();
    assert.deepEqual(plain, { type: "Success" });
    assert.equal(r.at(1).outcome(), plain);
    assert.deepEqual(r.at(2).outcome(), { type: "Success", length: 2, innerLengths: undefined });
    assert.deepEqual(r.at(3).outcome(), { type: "Failed", message: "no", stack: undefined });
    assert.deepEqual(r.at(4).outcome(), { type: "Skipped", message: "skip" });
    assert.deepEqual(
      r.at(3).outcome(),
      { type: "Failed", message: "no", stack: undefined },
      "back",
    );
  });

  test("a batch grows past its first arrays and packs only what was written", () => {
    const b = new DoneBatch();
    for (let c = 0; c < 1000; c++) b.add(7, c, OutcomeCode.success, c / 10);
    const m = overTheWire(b.toMessage(3));
    assert.equal(m.tasks.length, 4000);
    assert.equal(m.extra, undefined);
    const r = new DoneReader(m);
    assert.equal(r.size, 1000);
    assert.deepEqual([r.at(999).node, r.child, r.code, r.ms, r.length], [7, 999, 0, 99.9, -1]);
  });
});

const ref = (n: number) => ({ kind: "ref" as const, node: n, mode: "whole" as const });
/** a -> b, plus c, d, e on their own; b, c and d kept. */
const spec: GraphSpec = {
  nodes: [node("a"), node("b", { args: [ref(0)] }), node("c"), node("d"), node("e")],
};

describe("done batch: from a worker's outcomes to the scheduler's reading", () => {
  test("a small kept result goes along, a large one stays held, a failure and a skip carry their messages, a chain link is claimed", () => {
    const ws = new WorkerState(true, () => 5000);
    ws.handle({ type: "scheduler", msg: { t: "welcome", id: 1, peers: [] } });
    ws.handle({ type: "scheduler", msg: runMessage(1, spec, [1, 2, 3]) });
    ws.handle({ type: "bundle-ready", hash: "h" });
    // a's compute hints b (its only dependent, whose every input will be here)
    ws.handle({
      type: "scheduler",
      msg: {
        t: "compute",
        run: 1,
        ...wire(
          [0, -1, 1, 0, [], []],
          [2, -1, 1, 0, [], []],
          [3, -1, 1, 0, [], []],
          [4, -1, 1, 0, [], []],
        ),
        next: [[0, -1, [1, 1, 0, [[1, 0, -1]], [1]]]],
      },
    });
    const large = Buffer.alloc(EAGER_RESULT_BYTES + 1, 7);
    const small = encodeValue("small");
    const list: ThreadResult[] = [
      {
        run: 1,
        n: 0,
        c: -1,
        code: OutcomeCode.success,
        ms: 0.5,
        bytes: encodeValue(1),
        length: -1,
      },
      { run: 1, n: 2, c: -1, code: OutcomeCode.success, ms: 3, bytes: large, length: -1 },
      { run: 1, n: 3, c: -1, code: OutcomeCode.success, ms: 0.1, bytes: small, length: -1 },
      {
        run: 1,
        n: 4,
        c: -1,
        code: OutcomeCode.failed,
        ms: 2,
        message: "boom",
        stack: "Error: boom",
      },
    ];
    const cmds = ws.handle({ type: "results", list });
    const sends = cmds.filter((c): c is Extract<WorkerCommand, { k: "send" }> => c.k === "send");
    assert.equal(sends.length, 1, "one `done` for the run");
    const m = sends[0]!.msg;
    assert.ok(m.t === "done");
    const got = overTheWire(m);
    assert.deepEqual(got.claimed, [1, -1, 1], "b, started here on a's result, is claimed");
    assert.deepEqual(plain(readDone(got)), [
      { node: 0, child: -1, code: OutcomeCode.success, ms: 0.5 },
      { node: 2, child: -1, code: OutcomeCode.success, ms: 3 },
      { node: 3, child: -1, code: OutcomeCode.success, ms: 0.1, bytes: Buffer.from(small) },
      {
        node: 4,
        child: -1,
        code: OutcomeCode.failed,
        ms: 2,
        message: "boom",
        stack: "Error: boom",
      },
    ]);
    assert.deepEqual(ws.store.get(1, 2, -1), large, "the large result is held for a gather");
    assert.equal(ws.task(1, 1, -1)?.speculative, true);
    // The skip of the claimed link: reported with its message, nothing more to claim.
    const skipped = ws.handle({
      type: "results",
      list: [
        { run: 1, n: 1, c: -1, code: OutcomeCode.skipped, ms: 0, message: "skipped by the task" },
      ],
    });
    const s2 = skipped.find((c) => c.k === "send");
    assert.ok(s2?.k === "send" && s2.msg.t === "done");
    assert.deepEqual(readDone(overTheWire(s2.msg)), [
      { node: 1, child: -1, code: OutcomeCode.skipped, ms: 0, message: "skipped by the task" },
    ]);
  });
});
