import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { OutcomeCode } from "../../src/cluster/messages.ts";
import {
  INLINE_MAX_BATCH,
  INLINE_MIN_SHORT,
  INLINE_SLOW_FACTOR,
  INLINE_SLOW_STRIKES,
  parseInlineShortMs,
} from "../../src/cluster/worker/inline-policy.ts";
import { SHORT_MS } from "../../src/cluster/worker/task-durations.ts";
import type { ThreadResult } from "../../src/cluster/worker/thread-messages.ts";
import { WorkerState, type WorkerCommand } from "../../src/cluster/worker/worker-state.ts";
import type { GraphSpec } from "../../src/graph/task-spec.ts";
import { node } from "../graph/graph-driver.ts";
import { runMessage, wireTasks as wire } from "./fixtures/wire-tasks.ts";
import { doneMsg } from "./fixtures/done-reports.ts";

/** quick (no timeout) and guarded (a timeout), each a map of children with no inputs */
const spec: GraphSpec = { nodes: [node("quick"), node("guarded", { timeout: 5000 })] };
const runMsg = (run: number) => runMessage(run, spec, []);
const CODE = "h#f";

/** A task run as WorkerState hands it to the pool or the I/O loop. */
const task = (n: number, c: number, fast: boolean) => ({
  run: 1,
  n,
  c,
  a: 1,
  m: 0,
  args: [],
  deps: undefined,
  timeout: n === 1 ? 5000 : 0,
  fast,
  inputs: [],
  chain: undefined,
});

class Driver {
  readonly ws: WorkerState;
  private child = 0;
  constructor(inline = true, shortMs?: number) {
    this.ws = new WorkerState(true, () => 5000, inline, shortMs);
    this.ws.handle({ type: "scheduler", msg: { t: "welcome", id: 1, peers: [] } });
    this.ws.handle({ type: "scheduler", msg: runMsg(1) });
    this.ws.handle({ type: "bundle-ready", hash: "h" });
  }
  /** Computes `count` new children of node n; returns the commands and their children. */
  compute(n: number, count = 1): { cmds: WorkerCommand[]; cs: number[] } {
    const cs = Array.from({ length: count }, () => this.child++);
    const msg = {
      t: "compute" as const,
      run: 1,
      ...wire(...cs.map((c) => [n, c, 1, 0, [], []] as [number, number, number, number, [], []])),
    };
    return { cmds: this.ws.handle({ type: "scheduler", msg }), cs };
  }
  /** Reports children of n done in `ms` each. */
  done(n: number, cs: number[], ms: number): WorkerCommand[] {
    const list: ThreadResult[] = cs.map((c) => ({ run: 1, n, c, code: OutcomeCode.success, ms }));
    return this.ws.handle({ type: "results", list });
  }
  /** Node 0 known short, its code loaded on the I/O loop (the run that asked for it done). */
  knownShortAndLoaded(): void {
    this.shortRuns(0, INLINE_MIN_SHORT);
    const { cmds, cs } = this.compute(0);
    assert.equal(cmds[0]!.k, "inline-load");
    this.done(0, cs, 0.1);
    this.ws.handle({ type: "inline-code", code: CODE, ok: true });
  }

  /** Runs n short (`ms`) in a thread `times` times (each a batch of one). */
  shortRuns(n: number, times: number, ms = 0.1): void {
    for (let i = 0; i < times; i++) {
      const { cs } = this.compute(n);
      this.done(n, cs, ms);
    }
  }
}

/** Over the default slow bound. */
const SLOW_MS = SHORT_MS * INLINE_SLOW_FACTOR;

const moves = (d: Driver, n: number, c: number) =>
  d.ws.story(1, n, c).map((e) => `${e.from}>${e.to}`);

describe("WorkerState: which task runs go on the I/O loop (exact commands)", () => {
  test("short history: the flow's code is loaded on the I/O loop first (that run in a thread), then inline", () => {
    const d = new Driver();
    d.shortRuns(0, INLINE_MIN_SHORT - 1);
    // one short run too few: a thread, no load
    let r = d.compute(0);
    assert.deepEqual(r.cmds, [{ k: "execute", tasks: [task(0, r.cs[0]!, true)] }]);
    d.done(0, r.cs, 0.1);
    // known short: its run goes to a thread while the code loads on the I/O loop
    r = d.compute(0);
    assert.deepEqual(r.cmds, [
      { k: "inline-load", run: 1, code: CODE },
      { k: "execute", tasks: [task(0, r.cs[0]!, true)] },
    ]);
    d.done(0, r.cs, 0.1);
    // still loading: a thread, no second load
    r = d.compute(0);
    assert.deepEqual(r.cmds, [{ k: "execute", tasks: [task(0, r.cs[0]!, true)] }]);
    d.done(0, r.cs, 0.1);
    assert.deepEqual(d.ws.handle({ type: "inline-code", code: CODE, ok: true }), []);
    r = d.compute(0);
    assert.deepEqual(r.cmds, [{ k: "inline-execute", tasks: [task(0, r.cs[0]!, true)] }]);
    assert.equal(d.ws.task(1, 0, r.cs[0]!)?.status, "inline");
    assert.deepEqual(d.done(0, r.cs, 0.1), [
      { k: "send", msg: doneMsg(1, [[0, r.cs[0]!, 0, 0.1]]) },
    ]);
    assert.deepEqual(moves(d, 0, r.cs[0]!), ["new>queued", "queued>inline", "inline>done"]);
  });

  test("code that failed to load on the I/O loop: threads", () => {
    const d = new Driver();
    d.shortRuns(0, INLINE_MIN_SHORT);
    let r = d.compute(0);
    assert.equal(r.cmds[0]!.k, "inline-load");
    d.ws.handle({ type: "inline-code", code: CODE, ok: false });
    r = d.compute(0);
    assert.deepEqual(r.cmds, [{ k: "execute", tasks: [task(0, r.cs[0]!, true)] }]);
  });

  test("a task with a timeout: threads, however short", () => {
    const d = new Driver();
    d.shortRuns(1, INLINE_MIN_SHORT + 2);
    const r = d.compute(1);
    assert.deepEqual(r.cmds, [{ k: "execute", tasks: [task(1, r.cs[0]!, false)] }]);
  });

  test("a big batch: threads (the throughput path); a small one: inline", () => {
    const d = new Driver();
    d.knownShortAndLoaded();
    let r = d.compute(0, INLINE_MAX_BATCH + 1);
    assert.deepEqual(r.cmds, [{ k: "execute", tasks: r.cs.map((c) => task(0, c, true)) }]);
    d.done(0, r.cs, 0.1);
    r = d.compute(0, INLINE_MAX_BATCH);
    assert.deepEqual(r.cmds, [{ k: "inline-execute", tasks: r.cs.map((c) => task(0, c, true)) }]);
  });

  test("slow inline: threads until short again, and for good after INLINE_SLOW_STRIKES; its story says why", () => {
    const d = new Driver();
    d.knownShortAndLoaded();
    for (let strike = 1; strike <= INLINE_SLOW_STRIKES; strike++) {
      let r = d.compute(0);
      assert.equal(r.cmds[0]!.k, "inline-execute", `inline before slow run ${strike}`);
      const slow = r.cs[0]!;
      assert.deepEqual(d.done(0, r.cs, SLOW_MS + 20), [
        { k: "send", msg: doneMsg(1, [[0, slow, 0, SLOW_MS + 20]]) },
      ]);
      assert.deepEqual(moves(d, 0, slow), [
        "new>queued",
        "queued>inline",
        "inline>too-slow",
        "inline>done",
      ]);
      // the next run goes to a thread: the slow one ended the task's short runs in a row
      r = d.compute(0);
      assert.equal(r.cmds[0]!.k, "execute");
      d.done(0, r.cs, 0.1);
      d.shortRuns(0, INLINE_MIN_SHORT);
    }
    // short again many times: threads for good
    d.shortRuns(0, INLINE_MIN_SHORT + 3);
    const r = d.compute(0);
    assert.deepEqual(
      r.cmds.map((c) => c.k),
      ["execute"],
    );
    assert.ok(d.ws.inline.tooSlow.has("h#quick"));
  });

  test("a worker with task runs in hand: threads (inline only when idle: the latency case)", () => {
    const d = new Driver();
    d.knownShortAndLoaded();
    const busy = d.compute(1); // a slow one, in a thread
    let r = d.compute(0);
    assert.deepEqual(r.cmds, [{ k: "execute", tasks: [task(0, r.cs[0]!, true)] }]);
    d.done(0, r.cs, 0.1);
    d.done(1, busy.cs, 30);
    r = d.compute(0);
    assert.deepEqual(r.cmds, [{ k: "inline-execute", tasks: [task(0, r.cs[0]!, true)] }]);
    // two at once: both inline, the second behind the first on the I/O loop
    d.done(0, r.cs, 0.1);
    r = d.compute(0, 2);
    assert.deepEqual(r.cmds, [{ k: "inline-execute", tasks: r.cs.map((c) => task(0, c, true)) }]);
  });

  test("FLOWGATE_INLINE_TASKS=off (inline off): threads only, no load", () => {
    const d = new Driver(false);
    d.shortRuns(0, INLINE_MIN_SHORT + 3);
    const r = d.compute(0);
    assert.deepEqual(r.cmds, [{ k: "execute", tasks: [task(0, r.cs[0]!, true)] }]);
  });

  test("FLOWGATE_INLINE_SHORT_MS moves the short and slow bounds together; a bad value is a clear error", () => {
    const d = new Driver(true, 50);
    d.shortRuns(0, INLINE_MIN_SHORT, 30); // under 50 ms: short
    let r = d.compute(0);
    assert.equal(r.cmds[0]!.k, "inline-load");
    d.done(0, r.cs, 30);
    d.ws.handle({ type: "inline-code", code: CODE, ok: true });
    r = d.compute(0);
    assert.equal(r.cmds[0]!.k, "inline-execute");
    d.done(0, r.cs, 200); // under 5 x 50 ms: not slow
    assert.deepEqual(moves(d, 0, r.cs[0]!), ["new>queued", "queued>inline", "inline>done"]);
    r = d.compute(0);
    assert.equal(r.cmds[0]!.k, "execute", "200 ms is not short: threads until short again");
    assert.equal(parseInlineShortMs(undefined), SHORT_MS);
    assert.equal(parseInlineShortMs("50"), 50);
    for (const bad of ["0", "-1", "fast", "NaN"])
      assert.throws(
        () => parseInlineShortMs(bad),
        new RegExp(
          `FLOWGATE_INLINE_SHORT_MS must be a number of milliseconds above 0, not '${bad}'; unset it for the default of 1`,
        ),
      );
  });
});
