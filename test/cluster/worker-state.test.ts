import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { OutcomeCode, type SchedulerToWorker } from "../../src/cluster/messages.ts";
import { encodeValue } from "../../src/cluster/wire/codec.ts";
import { runMessage, wireTasks as wire } from "./fixtures/wire-tasks.ts";
import type { ThreadResult } from "../../src/cluster/worker/thread-messages.ts";
import {
  WorkerState,
  type WorkerCommand,
  type WorkerEvent,
} from "../../src/cluster/worker/worker-state.ts";
import type { GraphSpec } from "../../src/graph/task-spec.ts";
import { node } from "../graph/graph-driver.ts";
import { doneMsg } from "./fixtures/done-reports.ts";

const ref = (n: number) => ({ kind: "ref" as const, node: n, mode: "whole" as const });
/** a -> b -> c */
const chain: GraphSpec = {
  nodes: [node("a"), node("b", { args: [ref(0)] }), node("c", { args: [ref(1)] })],
};
const graph = encodeValue(chain);
const params = encodeValue({});
const runMsg = runMessage(1, chain, [2], "fr");
/** a's compute with b (and b's with c) as `next` hints, as the scheduler sends it to worker 1. */
const computeWithHints: Extract<SchedulerToWorker, { t: "compute" }> = {
  t: "compute",
  run: 1,
  ...wire([0, -1, 1, 0, [], []]),
  next: [[0, -1, [1, 1, 0, [[1, 0, -1]], [1], [2, 1, 0, [[1, 1, -1]], [1]]]]],
};

/** A pool task as WorkerState hands it over (no known duration: not fast). */
const pooled = (n: number, args: unknown[], inputs: unknown[]) => ({
  run: 1,
  n,
  c: -1,
  a: 1,
  m: 0,
  args,
  deps: undefined,
  timeout: 0,
  fast: false,
  inputs,
  chain: undefined,
});
const resultRef = (n: number) => ({
  k: "result" as const,
  node: n,
  child: -1,
  path: undefined,
  flatten: undefined,
});

class Driver {
  readonly ws: WorkerState;
  constructor(speculate = true) {
    this.ws = new WorkerState(speculate, () => 5000);
  }
  handle(ev: WorkerEvent): WorkerCommand[] {
    return this.ws.handle(ev);
  }
  msg(m: Extract<WorkerEvent, { type: "scheduler" }>["msg"]): WorkerCommand[] {
    return this.handle({ type: "scheduler", msg: m });
  }
  /** Welcome as worker 1, the run with its bundle cached. */
  ready(): this {
    this.msg({ t: "welcome", id: 1, peers: [[2, "w2", "tcp://w2"]] });
    this.msg(runMsg);
    this.handle({ type: "bundle-ready", hash: "h" });
    return this;
  }
  done(n: number, value: unknown, code: number = OutcomeCode.success): WorkerCommand[] {
    const r: ThreadResult =
      code === OutcomeCode.success
        ? { run: 1, n, c: -1, code, ms: 0.2, bytes: encodeValue(value), length: -1 }
        : { run: 1, n, c: -1, code, ms: 0.2, message: "boom" };
    return this.handle({ type: "results", list: [r] });
  }
}

describe("WorkerState: exact commands", () => {
  test("a run whose code is not cached: the pool is told about it and the bundle is asked for", () => {
    const d = new Driver();
    assert.deepEqual(d.msg(runMsg), [
      {
        k: "pool-add-run",
        info: { run: 1, graph, params, flowRunId: "fr", flowName: "f" },
        bundle: "h",
      },
      { k: "need-bundle", hash: "h" },
    ]);
    assert.deepEqual(d.msg({ t: "compute", run: 1, ...wire([0, -1, 1, 0, [], []]) }), []);
    assert.equal(d.ws.task(1, 0, -1)?.status, "waiting");
    assert.deepEqual(d.handle({ type: "bundle-ready", hash: "h" }), [
      { k: "execute", tasks: [pooled(0, [], [])] },
    ]);
    assert.equal(d.ws.task(1, 0, -1)?.status, "queued");
  });

  test("compute received -> run; done -> report (kept small results go along)", () => {
    const d = new Driver().ready();
    assert.deepEqual(d.msg({ t: "compute", run: 1, ...wire([2, -1, 1, 0, [], []]) }), [
      { k: "execute", tasks: [pooled(2, [], [])] },
    ]);
    const bytes = encodeValue(3);
    assert.deepEqual(d.done(2, 3), [
      {
        k: "send",
        msg: doneMsg(1, [[2, -1, 0, 0.2, -1, undefined, undefined, undefined, bytes]]),
      },
    ]);
    assert.equal(d.ws.taskCount, 0);
    assert.deepEqual(d.ws.store.get(1, 2, -1), bytes);
  });

  test("a slow task run starting is reported at once", () => {
    const d = new Driver().ready();
    d.msg({ t: "compute", run: 1, ...wire([0, -1, 1, 0, [], []]) });
    assert.deepEqual(d.handle({ type: "starting", task: { run: 1, n: 0, c: -1 } }), [
      { k: "send", msg: { t: "started", run: 1, keys: [0, -1] }, flush: true },
    ]);
    assert.equal(d.ws.task(1, 0, -1)?.status, "running");
  });

  test("fetch: an input held by a peer is fetched, then the task runs; a lost one is reported", () => {
    const d = new Driver().ready();
    const cmds = d.msg({ t: "compute", run: 1, ...wire([1, -1, 1, 0, [[1, 0, -1]], [2]]) });
    const base = {
      run: 1,
      n: 1,
      c: -1,
      a: 1,
      m: 0,
      args: [resultRef(0)],
      deps: undefined,
      timeout: 0,
      fast: false,
    };
    assert.deepEqual(cmds, [{ k: "fetch", base, inputs: [], remote: [2, 0, -1, 0] }]);
    assert.equal(d.ws.task(1, 1, -1)?.status, "fetching");
    const bytes = encodeValue(1);
    const input = { node: 0, child: -1, bytes, sticky: false };
    assert.deepEqual(
      d.handle({
        type: "inputs-ready",
        base,
        inputs: [input],
        fetched: [[0, -1, bytes]],
        lost: [],
      }),
      [{ k: "execute", tasks: [pooled(1, [resultRef(0)], [input])] }],
    );
    assert.deepEqual(d.ws.store.get(1, 0, -1), bytes, "what was fetched is kept");
    d.msg({ t: "compute", run: 1, ...wire([2, -1, 1, 0, [[1, 1, -1]], [2]]) });
    const base2 = { ...base, n: 2, args: [resultRef(1)] };
    assert.deepEqual(
      d.handle({ type: "inputs-ready", base: base2, inputs: [], fetched: [], lost: [1, -1, 2] }),
      [{ k: "send", msg: { t: "missing", run: 1, n: 2, c: -1, lost: [1, -1, 2] } }],
    );
    assert.equal(d.ws.task(1, 2, -1), undefined);
  });

  test("speculative assignment: a's success starts b here and claims it in the same `done`", () => {
    const d = new Driver().ready();
    d.msg(computeWithHints);
    const bytes = encodeValue(1);
    assert.deepEqual(d.done(0, 1), [
      {
        k: "send",
        msg: doneMsg(1, [[0, -1, 0, 0.2]], [1, -1, 1]),
        lazy: true,
      },
      {
        k: "execute",
        tasks: [pooled(1, [resultRef(0)], [{ node: 0, child: -1, bytes, sticky: false }])],
      },
    ]);
    assert.equal(d.ws.task(1, 1, -1)?.speculative, true);
    assert.deepEqual(d.ws.story(1, 0, -1), [
      { from: "new", to: "queued", speculative: false, time: 5000 },
      { from: "queued", to: "done", speculative: false, time: 5000 },
    ]);
    assert.deepEqual(d.ws.story(1, 1, -1), [
      { from: "new", to: "queued", speculative: true, time: 5000 },
    ]);
    // b's success claims c (b carried c as its own hint); c ends the chain: a plain `done`.
    assert.deepEqual(d.done(1, 2)[0], {
      k: "send",
      msg: doneMsg(1, [[1, -1, 0, 0.2]], [2, -1, 1]),
      lazy: true,
    });
    assert.deepEqual(d.done(2, 3), [
      {
        k: "send",
        msg: doneMsg(1, [[2, -1, 0, 0.2, -1, undefined, undefined, undefined, encodeValue(3)]]),
      },
    ]);
  });

  test("no speculation after a failure, while paused, on a cancelled run, or when turned off", () => {
    const failed = new Driver().ready();
    failed.msg(computeWithHints);
    assert.deepEqual(failed.done(0, undefined, OutcomeCode.failed), [
      {
        k: "send",
        msg: doneMsg(1, [[0, -1, 1, 0.2, undefined, undefined, "boom"]]),
      },
    ]);
    const paused = new Driver().ready();
    paused.msg(computeWithHints);
    assert.deepEqual(paused.handle({ type: "memory", paused: true }), [
      { k: "pool-pause", paused: true },
    ]);
    assert.deepEqual(
      paused.done(0, 1).map((c) => c.k),
      ["send"],
    );
    const cancelled = new Driver().ready();
    cancelled.msg(computeWithHints);
    assert.deepEqual(cancelled.msg({ t: "cancel", run: 1 }), [{ k: "pool-cancel", run: 1 }]);
    assert.deepEqual(
      cancelled.done(0, 1).map((c) => c.k),
      ["send"],
    );
    const off = new Driver(false).ready();
    off.msg(computeWithHints);
    assert.deepEqual(
      off.done(0, 1).map((c) => c.k),
      ["send"],
    );
  });

  test("take back: a queued speculative task is removed from the pool; a running one's outcome is dropped", () => {
    const d = new Driver().ready();
    d.msg(computeWithHints);
    d.done(0, 1);
    assert.deepEqual(d.msg({ t: "take-back", run: 1, keys: [1, -1] }), [
      { k: "pool-remove", task: { run: 1, n: 1, c: -1 } },
    ]);
    assert.deepEqual(d.handle({ type: "dropped", task: { run: 1, n: 1, c: -1 } }), []);
    assert.equal(d.ws.taskCount, 0);
    assert.deepEqual(
      d.ws.story(1, 1, -1).map((e) => `${e.from}>${e.to}`),
      ["new>queued", "queued>dropped"],
    );
    // Already in a thread: it runs, and its outcome is neither kept nor reported, nor does it claim c.
    const r = new Driver().ready();
    r.msg(computeWithHints);
    r.done(0, 1);
    r.handle({ type: "starting", task: { run: 1, n: 1, c: -1 } });
    assert.deepEqual(r.msg({ t: "take-back", run: 1, keys: [1, -1] }), []);
    assert.deepEqual(r.done(1, 2), []);
    assert.equal(r.ws.store.get(1, 1, -1), undefined);
    assert.equal(r.ws.taskCount, 0);
  });

  test("steal: queued task runs the pool gives up go back as `stolen`", () => {
    const d = new Driver().ready();
    d.msg({ t: "compute", run: 1, ...wire([0, -1, 1, 0, [], []]) });
    assert.deepEqual(d.msg({ t: "steal", max: 1 }), [{ k: "pool-steal", max: 1 }]);
    assert.deepEqual(d.handle({ type: "handed-back", keys: [1, 0, -1] }), [
      { k: "send", msg: { t: "stolen", keys: [1, 0, -1] } },
    ]);
    assert.equal(d.ws.taskCount, 0);
  });

  test("retirement: goodbye, hand back what has not started, refuse new work, go when told", () => {
    const d = new Driver().ready();
    d.msg({ t: "compute", run: 1, ...wire([0, -1, 1, 0, [], []]) });
    assert.deepEqual(d.handle({ type: "stop", grace: 3000 }), [
      { k: "send", msg: { t: "goodbye", grace: 3000 } },
      { k: "pool-steal", max: Infinity },
    ]);
    assert.deepEqual(d.handle({ type: "handed-back", keys: [1, 0, -1] }), [
      { k: "send", msg: { t: "stolen", keys: [1, 0, -1] } },
    ]);
    assert.deepEqual(d.msg({ t: "compute", run: 1, ...wire([2, -1, 1, 0, [], []]) }), [
      { k: "send", msg: { t: "stolen", keys: [1, 2, -1] } },
    ]);
    const bytes = encodeValue(7);
    assert.deepEqual(
      d.handle({
        type: "replicated",
        id: 4,
        run: 1,
        keys: ["0|-1", "1|-1"],
        values: [bytes, null],
      }),
      [{ k: "send", msg: { t: "replicated", id: 4, run: 1, keys: ["0|-1"] } }],
    );
    assert.deepEqual(d.msg({ t: "retired" }), [{ k: "let-go" }]);
  });

  test("gather, release and forget", () => {
    const d = new Driver().ready();
    d.msg({ t: "compute", run: 1, ...wire([2, -1, 1, 0, [], []]) });
    d.done(2, 3);
    assert.deepEqual(d.msg({ t: "gather", run: 1, keys: ["2|-1", "0|-1"] }), [
      { k: "send-gathered", run: 1, keys: ["2|-1", "0|-1"], values: [encodeValue(3), null] },
    ]);
    assert.deepEqual(d.msg({ t: "release", run: 1, node: 2 }), [
      { k: "pool-release", run: 1, node: 2 },
    ]);
    assert.equal(d.ws.store.bytes, 0);
    assert.deepEqual(d.msg({ t: "forget", run: 1 }), [{ k: "pool-forget", run: 1 }]);
    assert.equal(d.ws.runs.size, 0);
  });
});
