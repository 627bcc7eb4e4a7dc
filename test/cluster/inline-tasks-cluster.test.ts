import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { LogRecord } from "flowgate";
import { INLINE_SLOW_STRIKES } from "../../src/cluster/worker/inline-policy.ts";
import { startHarness, type Harness } from "./fixtures/cluster-harness.ts";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { probeFlow, waitFlow } from "./fixtures/inline-flows.ts";

/**
 * What a run of the probe left: where it ran (its console line says: a worker's I/O loop is its
 * process's main thread), its state and value, and its task's log lines.
 */
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
  const value = s.type === "Success" ? (r.outputs as { value: unknown }).value : undefined;
  const own = logs.filter((l) => l.task === "probe");
  const where = /on the (io-loop|thread)/.exec(own.map((l) => l.message).join("\n"))?.[1];
  // Lines of the task run, in order (the runner's own "finished" line among them), without ids.
  const lines = own.map(
    (l) => `${l.level} ${l.name} ${l.worker} ${l.message.replace(/[0-9a-f-]{36}/g, "<id>")}`,
  );
  return { s, where, value, lines };
}

/**
 * Runs the probe until a run of it runs on the worker's I/O loop: the task must first have been
 * short a few times in a row (under the suite's 50 ms bound, see below).
 */
async function inlineRun(h: Harness, mode: string, ms = 0) {
  for (let i = 0; i < 40; i++) {
    const run = await probeRun(h, mode, ms);
    if (run.where === "io-loop") return run;
    assert.equal(run.where, "thread");
  }
  assert.fail(`the probe (${mode}) never ran on the worker's I/O loop`);
}

const sameLines = (lines: string[]) => lines.map((l) => l.replace(/on the \S+/, "on <where>"));

describe("short task runs on a worker's I/O loop (LocalCluster, 1 worker)", () => {
  let h: Harness;
  before(async () => {
    // A short bound of 50 ms (slow: over 250 ms), so that a loaded machine (CI runs two test
    // files at once) does not decide where a task runs: the quick probes are short, 600 ms is slow.
    const before = process.env.FLOWGATE_INLINE_SHORT_MS;
    process.env.FLOWGATE_INLINE_SHORT_MS = "50";
    h = await startHarness({ workers: 1 });
    if (before === undefined) delete process.env.FLOWGATE_INLINE_SHORT_MS;
    else process.env.FLOWGATE_INLINE_SHORT_MS = before;
  });
  after(async () => {
    await h?.close();
  });

  test("once known short it runs inline: value, console and logger lines as from a thread; failures and skips too", async () => {
    const thread = await probeRun(h, "ok");
    assert.equal(thread.where, "thread", "a task with no record runs in a thread");
    assert.ok(thread.lines.length >= 3, thread.lines.join("\n"));
    const inline = await inlineRun(h, "ok");
    assert.deepEqual(inline.value, thread.value, "the same value");
    assert.deepEqual(sameLines(inline.lines), sameLines(thread.lines), "the same lines, in order");

    const failed = await inlineRun(h, "fail");
    assert.equal(failed.s.type, "Failed");
    assert.equal(failed.s.message, "probe failed on purpose (fail)");
    assert.match(failed.s.stack ?? "", /TypeError: probe failed on purpose[\s\S]*at .*probe/);
    const skipped = await inlineRun(h, "skip");
    assert.equal(skipped.s.type, "Skipped");
    assert.equal(skipped.s.message, "probe skipped on purpose (skip)");
  });

  test(`a task that runs slow inline ${INLINE_SLOW_STRIKES} times runs in threads from then on`, async () => {
    // Known short, it runs inline however long it takes (there are no timeouts inline).
    for (let strike = 1; strike <= INLINE_SLOW_STRIKES; strike++) {
      let slow: Awaited<ReturnType<typeof probeRun>> | undefined;
      for (let i = 0; i < 20 && slow?.where !== "io-loop"; i++) {
        await inlineRun(h, "ok");
        slow = await probeRun(h, "ok", 600);
      }
      assert.equal(slow?.where, "io-loop", `slow run ${strike} of a task known short ran inline`);
    }
    for (let i = 0; i < 8; i++)
      assert.equal((await probeRun(h, "ok")).where, "thread", "slow too often: threads since");
  });

  test("cancelling a run whose task runs inline: its signal fires there and the flow is Cancelled", async () => {
    const quick = {
      executor: h.executor,
      printLogs: false as const,
      keepResults: "outputs" as const,
    };
    let where: unknown;
    for (let i = 0; i < 40 && where !== "io-loop"; i++)
      where = (await waitFlow.run({ ...quick, parameters: { mode: "quick" } })).outputs;
    assert.equal(where, "io-loop", "the waiter runs on the I/O loop once known short");
    const dir = mkdtempSync(join(tmpdir(), "fg-inline-cancel-"));
    try {
      const marker = join(dir, "marker");
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 300);
      const r = await waitFlow.run({
        executor: h.executor,
        printLogs: false,
        signal: ac.signal,
        parameters: { mode: "wait", marker },
      });
      assert.equal(r.state.type, "Cancelled");
      for (let i = 0; i < 250 && !existsSync(marker); i++) await sleep(20);
      assert.equal(readFileSync(marker, "utf8"), "aborted on the io-loop");
      const next = await waitFlow.run({ ...quick, parameters: { mode: "quick" } });
      assert.equal(next.state.type, "Success", "the worker goes on");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
      for (let i = 0; i < 12; i++) assert.equal((await probeRun(h, "ok")).where, "thread");
    } finally {
      await h.close();
    }
  });
});
