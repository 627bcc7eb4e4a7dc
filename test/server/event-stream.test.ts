import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { TaskStateUpdate } from "../../src/server/api/index.ts";
import { skipPostgres } from "./support/postgres.ts";
import {
  registerTestFlow,
  startTestServer,
  testDatabase,
  type DbKind,
} from "./support/test-server.ts";

const N = 10_000;
const BATCH = 250;

for (const [kind, skip] of [
  ["sqlite", false],
  ["postgres", skipPostgres],
] as [DbKind, string | false][]) {
  describe(`run event stream - ${kind}`, { skip }, () => {
    test(`${N} task-state updates from 4 concurrent reporters all arrive over SSE (tasks=live)`, async () => {
      const db = await testDatabase(kind);
      const t = await startTestServer(db.url);
      const ac = new AbortController();
      try {
        const c = t.client("ada");
        const flow = await registerTestFlow(c, "stream");
        const run = await c.createRun({ flow, startAt: Date.now() + 86_400_000 });
        // task runs from before the stream opens: tasks=live must not replay them
        await c.reportTaskStates(run.id, [
          { task: "before", mapIndex: 0, state: "Running" },
          { task: "before", mapIndex: 1, state: "Success" },
        ]);

        const seen = new Set<number>();
        let replayed = 0;
        let marker = false;
        let resolveOpen!: () => void;
        const opened = new Promise<void>((r) => (resolveOpen = r));
        const reading = (async () => {
          for await (const e of c.runEvents(run.id, ac.signal, { tasks: "live" })) {
            if (e.type === "run") resolveOpen();
            if (e.type !== "tasks") continue;
            for (const task of e.tasks) {
              if (task.task === "before") replayed++;
              else if (task.task === "marker") marker = true;
              else seen.add(task.mapIndex);
            }
            if (marker) return;
          }
        })();
        await opened;

        const batches = Array.from({ length: N / BATCH }, (_, b) =>
          Array.from({ length: BATCH }, (_, i): TaskStateUpdate => ({
            task: "map",
            mapIndex: b * BATCH + i,
            state: i % 3 ? "Success" : "Running",
          })),
        );
        let next = 0;
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            while (next < batches.length) await c.reportTaskStates(run.id, batches[next++]!);
          }),
        );
        // reported after every other update was accepted: rows become visible in order, so when
        // the marker arrives, every update before it must have arrived too
        await c.reportTaskStates(run.id, [{ task: "marker", mapIndex: 0, state: "Success" }]);
        await reading;

        assert.equal(replayed, 0, "tasks=live replayed task runs from before the stream");
        assert.equal(seen.size, N, `${N - seen.size} of ${N} task-state updates never arrived`);
      } finally {
        ac.abort();
        await t.close();
        await db.drop();
      }
    });
  });
}
