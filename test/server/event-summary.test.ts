import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { RunEvent, TaskStateUpdate, TaskSummary } from "../../src/server/api/index.ts";
import { skipPostgres } from "./support/postgres.ts";
import {
  registerTestFlow,
  startTestServer,
  testDatabase,
  type DbKind,
} from "./support/test-server.ts";

const N = 3000;

/** Counts per task name and state as a plain object, for deepEqual. */
const shape = (s: TaskSummary) =>
  Object.fromEntries(s.tasks.map((t) => [t.task, { total: t.total, ...t.states }]));

for (const [kind, skip] of [
  ["sqlite", false],
  ["postgres", skipPostgres],
] as [DbKind, string | false][]) {
  describe(`run event stream, tasks=summary - ${kind}`, { skip }, () => {
    test("summary events carry the exact counts while states change, at most ~1/s, and a final one before end", async () => {
      const db = await testDatabase(kind);
      const t = await startTestServer(db.url);
      const ac = new AbortController();
      try {
        const c = t.client("ada");
        const flow = await registerTestFlow(c, "summary");
        const run = await c.createRun({ flow, startAt: Date.now() + 86_400_000 });
        const report = async (from: number, to: number, state: string) => {
          for (let b = from; b < to; b += 500) {
            const batch: TaskStateUpdate[] = [];
            for (let i = b; i < Math.min(to, b + 500); i++)
              batch.push({ task: i % 2 ? "odd" : "even", mapIndex: i, state });
            await c.reportTaskStates(run.id, batch);
          }
        };
        await report(0, N, "Pending");

        const events: { at: number; e: RunEvent }[] = [];
        let wake = () => {};
        const reading = (async () => {
          for await (const e of c.runEvents(run.id, ac.signal, { tasks: "summary" })) {
            events.push({ at: Date.now(), e });
            wake();
          }
        })();
        /** Waits until a summary event equal to `want` arrives (the test's timeout bounds it). */
        const summaryReaches = async (want: Record<string, Record<string, number>>) => {
          for (;;) {
            const last = events.findLast((x) => x.e.type === "summary");
            if (last?.e.type === "summary" && isDeepEqual(shape(last.e.summary), want)) return;
            await new Promise<void>((r) => (wake = r));
          }
        };
        const half = N / 2;
        await summaryReaches({
          even: { total: half, Pending: half },
          odd: { total: half, Pending: half },
        });

        const started = Date.now();
        // the page never saw these task runs: the counts must still be exact
        await report(0, 1000, "Running");
        await report(0, 400, "Success");
        await report(400, 600, "Failed");
        await report(1000, 1200, "Running");
        await summaryReaches({
          even: { total: half, Pending: 900, Running: 300, Success: 200, Failed: 100 },
          odd: { total: half, Pending: 900, Running: 300, Success: 200, Failed: 100 },
        });
        await report(600, 1200, "Success");
        await report(N, N + 10, "Success");
        await summaryReaches({
          even: { total: half + 5, Pending: 900, Success: 505, Failed: 100 },
          odd: { total: half + 5, Pending: 900, Success: 505, Failed: 100 },
        });
        const during = events.filter((x) => x.at >= started && x.e.type === "summary").length;
        const seconds = (Date.now() - started) / 1000;
        assert.ok(
          during <= Math.ceil(seconds) + 1,
          `${during} summary events in ${seconds.toFixed(1)} s: more than one a second`,
        );

        await c.cancelRun(run.id);
        await reading;
        const types = events.map((x) => x.e.type);
        assert.equal(types.at(-1), "end");
        assert.ok(!types.includes("tasks"), "tasks=summary sent task rows");
        const timeline = events.findLast((x) => x.e.type === "timeline")?.e;
        assert.ok(timeline?.type === "timeline", "no timeline event");
        // 1200 task runs started (Running was reported for them), 10 were reported as Success only
        assert.equal(timeline.timeline.total, 1200);
        const final = events.findLast((x) => x.e.type === "summary")!.e;
        assert.ok(final.type === "summary");
        // cancelling ends the open task runs: only a summary sent after that shows it
        assert.deepEqual(final.summary, await c.taskSummary(run.id));
      } finally {
        ac.abort();
        await t.close();
        await db.drop();
      }
    });
  });
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
}
