import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { SchedulerCommand } from "../../src/cluster/scheduler/scheduler-state.ts";
import { SchedulerDriver, sends } from "./fixtures/scheduler-driver.ts";
import { OutcomeCode } from "../../src/cluster/messages.ts";
import { readComputeBatch } from "../../src/cluster/wire/compute-batch.ts";
import type { GraphSpec } from "../../src/graph/task-spec.ts";
import type { Flow } from "../../src/flow/index.ts";
import { alive, startHarness, type Harness } from "./fixtures/cluster-harness.ts";
import { node } from "../graph/graph-driver.ts";
import { runsIn } from "./fixtures/run-records.ts";
import { doneMsg } from "./fixtures/done-reports.ts";

const tasksOf = (cmds: SchedulerCommand[], to: number) =>
  sends(cmds, "compute", to).flatMap((c) => readComputeBatch(c.msg.tasks, c.msg.tables));

/** inc.map(xs) (node 1, `width` children) then sum (node 2, kept). */
function mapThenSum(width: number): GraphSpec {
  return {
    nodes: [
      node("xs", { constant: { value: Array.from({ length: width }, (_, i) => i) } }),
      node("inc", { mapped: true, args: [{ kind: "ref", node: 0, mode: "mapped" }] }),
      node("sum", { args: [{ kind: "ref", node: 1, mode: "whole" }] }),
    ],
  };
}

/** `workers` workers (those in `paused` heartbeat as paused), then one run submitted. */
function state(
  workers: number,
  graph: GraphSpec,
  keep: number[],
  paused: number[] = [],
): SchedulerDriver {
  const s = new SchedulerDriver();
  for (let i = 1; i <= workers; i++) s.addWorker(i, `w${i}`, `tls://w${i}`, 1);
  for (const i of paused) s.heartbeat(i, { paused: true });
  s.drain();
  s.submitGraph(100, 1, graph, keep);
  return s;
}

const done = (s: SchedulerDriver, w: number, tasks: { n: number; c: number }[]) =>
  s.fromWorker(
    w,
    doneMsg(
      1,
      tasks.map((t) => [t.n, t.c, OutcomeCode.success, 1]),
    ),
  );

describe("SchedulerState retirement", () => {
  test("a leaving worker's needed results are copied to a live worker before it is let go", () => {
    const s = state(2, mapThenSum(3), [2]);
    const first = s.drain();
    const on1 = tasksOf(first, 1);
    const on2 = tasksOf(first, 2);
    assert.ok(on1.length > 0 && on2.length > 0);
    done(s, 1, on1);
    s.drain();
    s.retire(1, 10_000);
    let cmds = s.drain();
    const copy = sends(cmds, "replicate");
    assert.equal(copy.length, 1);
    assert.equal(copy[0]!.to, 2);
    assert.equal(copy[0]!.msg.from, 1);
    assert.deepEqual(
      copy[0]!.msg.keys,
      on1.map((t) => `1|${t.c}`),
    );
    assert.equal(sends(cmds, "retired").length, 0, "not before the copy answered");
    s.fromWorker(2, { t: "replicated", id: copy[0]!.msg.id, run: 1, keys: copy[0]!.msg.keys });
    cmds = s.drain();
    assert.equal(sends(cmds, "retired", 1).length, 1);
    s.removeWorker(1);
    assert.equal(tasksOf(s.drain(), 2).length, 0, "nothing is recomputed");
    done(s, 2, on2);
    const sum = tasksOf(s.drain(), 2);
    assert.equal(sum.length, 1);
    assert.equal(sum[0]!.n, 2);
    assert.deepEqual([...(sum[0]!.who[0] as Int16Array)], [2, 2, 2], "the sum reads them on w2");
  });

  test("released results are not moved; with no other worker it is let go at once", () => {
    // a -> b (kept): once b is done, a is released.
    const chain: GraphSpec = {
      nodes: [node("a"), node("b", { args: [{ kind: "ref", node: 0, mode: "whole" }] })],
    };
    const s = state(2, chain, [1]);
    const a = tasksOf(s.drain(), 1);
    assert.deepEqual(
      a.map((t) => t.n),
      [0],
    );
    done(s, 1, a);
    const b = tasksOf(s.drain(), 1);
    assert.deepEqual(
      b.map((t) => t.n),
      [1],
      "b runs where a is",
    );
    done(s, 1, b);
    s.drain();
    s.retire(1);
    const copy = sends(s.drain(), "replicate");
    assert.equal(copy.length, 1);
    assert.deepEqual(copy[0]!.msg.keys, ["1|-1"], "only the kept b, not the released a");

    const alone = state(1, chain, [1]);
    done(alone, 1, tasksOf(alone.drain(), 1));
    done(alone, 1, tasksOf(alone.drain(), 1));
    alone.drain();
    alone.retire(1);
    const cmds = alone.drain();
    assert.equal(sends(cmds, "replicate").length, 0);
    assert.equal(sends(cmds, "retired", 1).length, 1);
  });

  test("a receiver that goes away: the copy is planned again elsewhere, or the worker goes without it", () => {
    const s = state(2, mapThenSum(2), [2]);
    const first = s.drain();
    const on1 = tasksOf(first, 1);
    done(s, 1, on1);
    s.drain();
    s.retire(1);
    assert.equal(sends(s.drain(), "replicate", 2).length, 1);
    s.addWorker(3, "w3", "tls://w3", 1);
    s.removeWorker(2);
    let cmds = s.drain();
    const again = sends(cmds, "replicate", 3);
    assert.equal(again.length, 1);
    assert.deepEqual(
      again[0]!.msg.keys,
      on1.map((t) => `1|${t.c}`),
    );
    assert.equal(sends(cmds, "run", 3).length, 1, "the receiver is told about the run first");
    s.removeWorker(3);
    cmds = s.drain();
    assert.equal(sends(cmds, "retired", 1).length, 1, "no receiver left: it goes");
  });

  test("the hand-off is bounded by the grace period", () => {
    const s = state(2, mapThenSum(2), [2]);
    done(s, 1, tasksOf(s.drain(), 1));
    s.drain();
    s.retire(1, 50);
    assert.equal(sends(s.drain(), "replicate").length, 1);
    s.now += 80;
    s.heartbeat(2);
    assert.equal(sends(s.drain(), "retired", 1).length, 1);
  });

  test("unstarted tasks a leaving worker hands back run elsewhere; it goes after its running one", () => {
    const s = state(2, mapThenSum(4), [2]);
    const first = s.drain();
    const on1 = tasksOf(first, 1);
    assert.equal(on1.length, 2);
    s.fromWorker(1, { t: "started", run: 1, keys: [on1[0]!.n, on1[0]!.c] });
    s.retire(1);
    s.fromWorker(1, { t: "stolen", keys: [1, on1[1]!.n, on1[1]!.c] });
    let cmds = s.drain();
    assert.deepEqual(tasksOf(cmds, 1), []);
    assert.equal(sends(cmds, "retired").length, 0, "its running task is not done yet");
    done(s, 2, tasksOf(first, 2));
    cmds = s.drain();
    assert.deepEqual(
      tasksOf(cmds, 2).map((t) => t.c),
      [on1[1]!.c],
    );
    done(s, 1, [on1[0]!]);
    const copy = sends(s.drain(), "replicate", 2);
    assert.deepEqual(copy[0]!.msg.keys, [`1|${on1[0]!.c}`]);
  });

  test("placement prefers a worker that is not paused", () => {
    const s = state(2, mapThenSum(2), [2], [1]);
    const cmds = s.drain();
    assert.equal(tasksOf(cmds, 1).length, 0);
    assert.equal(tasksOf(cmds, 2).length, 2);
  });
});

/** The flow of the process tests, written at run time (workers load its bundle). */
const FLOW_SOURCE = `
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Flow, Parameter, task, unmapped } from "flowgate";

/** Notes each run in dir/runs ("pid x"); x = 0 holds the flow until dir/go exists. */
export const produce = task(async function produce(x: number, dir: string) {
  appendFileSync(join(dir, "runs"), process.pid + " " + x + "\\n");
  if (x === 0) {
    writeFileSync(join(dir, "gate-" + process.pid), "");
    while (!existsSync(join(dir, "go"))) await sleep(20);
  }
  return x * 10;
});
export const combine = task(function combine(xs: number[]) {
  return xs.reduce((a, b) => a + b, 0);
});
export const retireFlow = new Flow("cluster-retire", () => {
  const dir = Parameter<string>("dir");
  return combine(produce.map(Parameter<number[]>("xs"), unmapped(dir)));
});
`;

const XS = Array.from({ length: 8 }, (_, i) => i);
const SUM = XS.reduce((a, x) => a + x * 10, 0);
/** The worker's grace period (ClusterWorker.stop's default) and slack for a loaded machine. */
const GRACE_MS = 10_000;
const SLACK_MS = 5_000;

async function waitFor(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Waits until every first-stage task has run and the gate task (x = 0) waits; returns its worker's pid. */
async function firstStageDone(dir: string): Promise<number> {
  await waitFor("the first stage", () => {
    const runs = runsIn(dir);
    return XS.every((x) => runs.has(x)) && readdirSync(dir).some((f) => f.startsWith("gate-"));
  });
  return Number(
    readdirSync(dir)
      .find((f) => f.startsWith("gate-"))!
      .slice(5),
  );
}

describe("graceful worker retirement (processes)", () => {
  let root: string;
  let flow: Flow;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), "flowgate-retire-"));
    writeFileSync(join(root, "retire-flow.ts"), FLOW_SOURCE);
    const mod = (await import(pathToFileURL(join(root, "retire-flow.ts")).href)) as {
      retireFlow: Flow;
    };
    flow = mod.retireFlow;
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const start = (dir: string, executor: Harness["executor"]) =>
    flow.run({
      executor,
      printLogs: false,
      parameters: { dir, xs: XS },
      keepResults: "outputs",
    });

  test("SIGTERM between two stages: the second reads the leaving worker's results without recomputing them", async () => {
    const dir = mkdtempSync(join(root, "handoff-"));
    const h = await startHarness({ workers: 2, concurrency: 2, restartWorkers: false });
    try {
      const run = start(dir, h.executor);
      const gate = await firstStageDone(dir);
      const workers = h.cluster.pids; // the scheduler runs in this process
      const a = workers.find((p) => p !== gate)!;
      const onA = [...runsIn(dir)].filter(([, pids]) => pids.includes(a)).map(([x]) => x);
      assert.ok(
        onA.length > 0,
        `worker ${a} ran none of the first stage: ${JSON.stringify([...runsIn(dir)])}`,
      );
      const t0 = Date.now();
      process.kill(a, "SIGTERM");
      await waitFor("the leaving worker to exit", () => !alive(a), GRACE_MS + SLACK_MS);
      const took = Date.now() - t0;
      assert.ok(took < GRACE_MS, `it left after ${took} ms`);
      writeFileSync(join(dir, "go"), "");
      const r = await run;
      assert.equal(r.state.type, "Success", JSON.stringify(r.state));
      assert.equal(r.outputs, SUM);
      for (const [x, pids] of runsIn(dir))
        assert.equal(pids.length, 1, `produce(${x}) ran ${pids.length} times (${pids.join(", ")})`);
    } finally {
      await h.close();
    }
  });

  test("a leaving worker whose receiver disappears: it still goes within its grace period and the flow recomputes what was lost", async () => {
    const dir = mkdtempSync(join(root, "fallback-"));
    const h = await startHarness({ workers: 2, concurrency: 2 });
    let frozen = -1;
    try {
      const run = start(dir, h.executor);
      const gate = await firstStageDone(dir);
      const a = h.cluster.pids.find((p) => p !== gate)!;
      const onA = [...runsIn(dir)].filter(([, pids]) => pids.includes(a)).map(([x]) => x);
      // The only possible receiver stops answering (the scheduler drops it after its heartbeat timeout).
      frozen = gate;
      process.kill(gate, "SIGSTOP");
      const t0 = Date.now();
      process.kill(a, "SIGTERM");
      await waitFor("the leaving worker to exit", () => !alive(a), GRACE_MS + SLACK_MS);
      const took = Date.now() - t0;
      assert.ok(took < GRACE_MS + SLACK_MS, `it left after ${took} ms`);
      process.kill(gate, "SIGKILL");
      frozen = -1;
      writeFileSync(join(dir, "go"), "");
      const r = await run;
      assert.equal(r.state.type, "Success", JSON.stringify(r.state));
      assert.equal(r.outputs, SUM);
      const runs = runsIn(dir);
      for (const x of onA)
        assert.ok(runs.get(x)!.length >= 2, `produce(${x}), lost with its worker, was recomputed`);
    } finally {
      if (frozen > 0 && alive(frozen)) process.kill(frozen, "SIGKILL");
      await h.close();
    }
  });
});
