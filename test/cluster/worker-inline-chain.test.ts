import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { OutcomeCode, type SchedulerToWorker } from "../../src/cluster/messages.ts";
import { encodeValue } from "../../src/cluster/wire/codec.ts";
import { packTasks, unpackTasks } from "../../src/cluster/worker/thread-batch.ts";
import { NOT_RUN, type ThreadResult } from "../../src/cluster/worker/thread-messages.ts";
import {
  WorkerState,
  type WorkerCommand,
  type WorkerEvent,
} from "../../src/cluster/worker/worker-state.ts";
import type { GraphSpec } from "../../src/graph/task-spec.ts";
import { node } from "../graph/graph-driver.ts";
import { runMessage, wireTasks as wire } from "./fixtures/wire-tasks.ts";
import { doneMsg } from "./fixtures/done-reports.ts";
import { readDone } from "../../src/cluster/wire/done-batch.ts";

// Chain links run in the task run's own thread (inline-chain.ts): the exact commands of
// WorkerState for each of their transitions.

const ref = (n: number) => ({ kind: "ref" as const, node: n, mode: "whole" as const });
/** a -> b -> c, one task function (so that a's measured time makes b and c short). */
const chain: GraphSpec = {
  nodes: [
    node("a", { key: "link" }),
    node("b", { key: "link", args: [ref(0)] }),
    node("c", { key: "link", args: [ref(1)] }),
  ],
};
const runMsg = (run: number) => runMessage(run, chain, [2]);
/** a's compute with b (and b's with c) as `next` hints. */
const computeWithHints = (run: number): Extract<SchedulerToWorker, { t: "compute" }> => ({
  t: "compute",
  run,
  ...wire([0, -1, 1, 0, [], []]),
  next: [[0, -1, [1, 1, 0, [[1, 0, -1]], [1], [2, 1, 0, [[1, 1, -1]], [1]]]]],
});
const resultRef = (n: number) => ({
  k: "result" as const,
  node: n,
  child: -1,
  path: undefined,
  flatten: undefined,
});
const links = [
  { n: 1, a: 1, m: 0, args: [resultRef(0)] },
  { n: 2, a: 1, m: 0, args: [resultRef(1)] },
];

/** A worker that ran `link` once (so knows it is short), then got run 2 and a's compute with hints. */
function chainSent(): { ws: WorkerState; cmds: WorkerCommand[] } {
  const ws = new WorkerState(true, () => 5000);
  const msg = (m: Extract<WorkerEvent, { type: "scheduler" }>["msg"]) =>
    ws.handle({ type: "scheduler", msg: m });
  msg({ t: "welcome", id: 1, peers: [] });
  msg(runMsg(1));
  ws.handle({ type: "bundle-ready", hash: "h" });
  msg({ t: "compute", run: 1, ...wire([0, -1, 1, 0, [], []]) });
  ws.handle({ type: "results", list: [ok(1, 0, 1)] });
  msg({ t: "forget", run: 1 });
  msg(runMsg(2));
  return { ws, cmds: msg(computeWithHints(2)) };
}

function ok(run: number, n: number, value: unknown, inline = false): ThreadResult {
  const r: ThreadResult = {
    run,
    n,
    c: -1,
    code: 0,
    ms: 0.2,
    bytes: encodeValue(value),
    length: -1,
  };
  if (inline) r.inline = true;
  return r;
}
const notRun = (n: number): ThreadResult => ({
  run: 2,
  n,
  c: -1,
  code: NOT_RUN,
  ms: 0,
  inline: true,
});
const results = (ws: WorkerState, ...list: ThreadResult[]) => ws.handle({ type: "results", list });
const moves = (ws: WorkerState, n: number) =>
  ws.story(2, n, -1).map((e) => `${e.from}>${e.to}${e.speculative ? "*" : ""}`);

describe("WorkerState: chain links in the task run's thread", () => {
  test("a short chain goes to the pool with its task run", () => {
    const { cmds } = chainSent();
    assert.deepEqual(cmds, [
      {
        k: "execute",
        tasks: [
          {
            run: 2,
            n: 0,
            c: -1,
            a: 1,
            m: 0,
            args: [],
            deps: undefined,
            timeout: 0,
            fast: true,
            inputs: [],
            chain: links,
          },
        ],
      },
    ]);
  });

  test("the chain's outcomes in one list: each link claimed as its upstream's result comes, a `done` each", () => {
    const { ws } = chainSent();
    // A link's outcome comes in the `done` after the one claiming it (the scheduler accepts a
    // claim when that `done` is applied); all lazy but the last, which claims nothing.
    assert.deepEqual(results(ws, ok(2, 0, 1), ok(2, 1, 2, true), ok(2, 2, 3, true)), [
      {
        k: "send",
        msg: doneMsg(2, [[0, -1, 0, 0.2]], [1, -1, 1]),
        lazy: true,
      },
      {
        k: "send",
        msg: doneMsg(2, [[1, -1, 0, 0.2]], [2, -1, 1]),
        lazy: true,
      },
      {
        k: "send",
        msg: doneMsg(2, [[2, -1, 0, 0.2, -1, undefined, undefined, undefined, encodeValue(3)]]),
      },
    ]);
    assert.deepEqual(moves(ws, 1), ["new>queued*", "queued>done*"]);
    assert.deepEqual(moves(ws, 2), ["new>queued*", "queued>done*"]);
    assert.deepEqual(ws.store.get(2, 2, -1), encodeValue(3));
    assert.equal(ws.taskCount, 0);
  });

  test("outcomes one by one: a claim that the chain goes on is lazy, no command starts a link", () => {
    const { ws } = chainSent();
    assert.deepEqual(results(ws, ok(2, 0, 1)), [
      {
        k: "send",
        msg: doneMsg(2, [[0, -1, 0, 0.2]], [1, -1, 1]),
        lazy: true,
      },
    ]);
    assert.equal(ws.task(2, 1, -1)?.status, "queued");
    assert.equal(ws.task(2, 1, -1)?.inThread, true);
  });

  test("a paused worker still claims the links its thread ran; links not run (a failed) are dropped unreported", () => {
    // Refusing a link the thread has run saves nothing: the scheduler would run it again elsewhere.
    const paused = chainSent().ws;
    paused.handle({ type: "memory", paused: true });
    const sent = results(paused, ok(2, 0, 1), ok(2, 1, 2, true), ok(2, 2, 3, true));
    assert.deepEqual(sent.slice(0, 2), [
      {
        k: "send",
        msg: doneMsg(2, [[0, -1, 0, 0.2]], [1, -1, 1]),
        lazy: true,
      },
      {
        k: "send",
        msg: doneMsg(2, [[1, -1, 0, 0.2]], [2, -1, 1]),
        lazy: true,
      },
    ]);
    const last = sent[2];
    assert.ok(last?.k === "send" && last.msg.t === "done" && sent.length === 3);
    assert.deepEqual(
      readDone(last.msg).map((r) => [r.node, r.child, r.code, r.ms]),
      [[2, -1, 0, 0.2]],
    );
    assert.equal("claimed" in last.msg, false);
    assert.notEqual(paused.store.get(2, 1, -1), undefined);
    assert.equal(paused.taskCount, 0);
    const failed = chainSent().ws;
    const boom: ThreadResult = {
      run: 2,
      n: 0,
      c: -1,
      code: OutcomeCode.failed,
      ms: 0.2,
      message: "boom",
    };
    assert.deepEqual(results(failed, boom, notRun(1), notRun(2)), [
      {
        k: "send",
        msg: doneMsg(2, [[0, -1, 1, 0.2, undefined, undefined, "boom"]]),
      },
    ]);
    assert.equal(failed.taskCount, 0);
  });

  test("a claimed link its thread did not run (thread replaced) goes back as `stolen`", () => {
    const { ws } = chainSent();
    results(ws, ok(2, 0, 1));
    results(ws, ok(2, 1, 2, true));
    assert.deepEqual(results(ws, notRun(2)), [
      { k: "send", msg: { t: "stolen", keys: [2, 2, -1] } },
    ]);
    assert.deepEqual(moves(ws, 2), ["new>queued*", "queued>handed-back*"]);
    assert.equal(ws.taskCount, 0);
  });

  test("take back: a link in a thread needs no pool command; its outcome and its own link's are dropped", () => {
    const { ws } = chainSent();
    results(ws, ok(2, 0, 1));
    assert.deepEqual(
      ws.handle({ type: "scheduler", msg: { t: "take-back", run: 2, keys: [1, -1] } }),
      [],
    );
    assert.deepEqual(results(ws, ok(2, 1, 2, true), ok(2, 2, 3, true)), []);
    assert.equal(ws.store.get(2, 1, -1), undefined);
    assert.deepEqual(moves(ws, 1), ["new>queued*", "queued>dropped*"]);
    assert.equal(ws.taskCount, 0);
  });
});

test("thread batch - a task run's chain links cross with it", () => {
  const task = { seq: 4, run: 2, n: 0, c: -1, a: 1, m: 0, args: [], chain: links };
  const plain = { seq: 7, run: 2, n: 5, c: 3, a: 1, m: 0, args: [resultRef(1)] };
  const [got, other] = unpackTasks(packTasks([task, plain]));
  assert.deepEqual(got, {
    run: 2,
    n: 0,
    c: -1,
    a: 1,
    m: 0,
    args: [],
    deps: undefined,
    s: 4,
    chain: links,
  });
  assert.equal(other!.chain, undefined);
  assert.equal(other!.s, 7);
});
