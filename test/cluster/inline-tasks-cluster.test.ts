import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { LogRecord } from "flowgate";
import { startHarness, type Harness } from "./fixtures/cluster-harness.ts";
import { probeFlow } from "./fixtures/inline-flows.ts";

/** What a run of the probe left: where it ran, its state and value, and its task's log lines. */
async function probeRun(h: Harness, mode: string, ms = 0) {
  const logs: LogRecord[] = [];
  const r = await probeFlow.run({
    executor: h.executor,
    printLogs: false,
    keepResults: "outputs",
    parameters: { mode, ms },
    onLog: (l: LogRecord) => logs.push(l),
  });
  const s = r.taskState("probe");
  const out = s.type === "Success" ? (r.outputs as { where: string; value: unknown }) : undefined;
  // Lines of the task run, in order (the runner's own "finished" line among them), without times and ids.
  const lines = logs
    .filter((l) => l.task === "probe")
    .map((l) => `${l.level} ${l.name} ${l.message.replace(/[0-9a-f-]{36}/g, "<id>")}`);
  return { r, s, where: out?.where, value: out?.value, lines };
}

// What is not tested here yet: that a known-short task does run on the I/O loop in a
// LocalCluster. Loading the flow's code on a worker process's I/O loop does not settle on Node 20
// (see inline-code.ts), so there the task runs stay on threads; the pure decisions are pinned in
// worker-inline.test.ts.

describe("a task known short on a LocalCluster (1 worker, inline tasks on)", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ workers: 1 });
  });
  after(async () => {
    await h?.close();
  });

  test("every run gives the same value and log lines; failures and skips surface as from a thread", async () => {
    const first = await probeRun(h, "ok");
    assert.ok(first.lines.length >= 3, first.lines.join("\n"));
    for (let i = 0; i < 10; i++) {
      const next = await probeRun(h, "ok");
      assert.deepEqual(next.value, first.value, "the same value");
      assert.deepEqual(next.lines, first.lines, "the same lines in the same order");
    }
    const failed = await probeRun(h, "fail");
    assert.equal(failed.s.type, "Failed");
    assert.equal(failed.s.message, "probe failed on purpose (fail)");
    assert.match(failed.s.stack ?? "", /TypeError: probe failed on purpose[\s\S]*at .*probe/);
    const skipped = await probeRun(h, "skip");
    assert.equal(skipped.s.type, "Skipped");
    assert.equal(skipped.s.message, "probe skipped on purpose (skip)");
  });
});

describe("FLOWGATE_INLINE_TASKS=off (LocalCluster, 1 worker)", () => {
  test("every task run goes to a thread", async () => {
    const before = process.env.FLOWGATE_INLINE_TASKS;
    process.env.FLOWGATE_INLINE_TASKS = "off";
    const h = await startHarness({ workers: 1 });
    if (before === undefined) delete process.env.FLOWGATE_INLINE_TASKS;
    else process.env.FLOWGATE_INLINE_TASKS = before;
    try {
      for (let i = 0; i < 10; i++) assert.equal((await probeRun(h, "ok")).where, "thread");
    } finally {
      await h.close();
    }
  });
});
