import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { skipPostgres } from "./support/postgres.ts";
import { startTestServer, testDatabase, type DbKind } from "./support/test-server.ts";

for (const [kind, skip] of [
  ["sqlite", false],
  ["postgres", skipPostgres],
] as [DbKind, string | false][]) {
  describe(`closing the server with parked claim long polls - ${kind}`, { skip }, () => {
    test("a parked poll answers empty, an aborted one never reaches the closed store", async () => {
      const db = await testDatabase(kind);
      const warnings: string[] = [];
      // heartbeatMs: a poll stays parked far longer than the test, unless close() ends it
      const t = await startTestServer(db.url, {
        heartbeatMs: 600_000,
        agentTimeoutMs: 1_200_000,
        log: (level, msg) => void (level !== "info" && warnings.push(`${level} ${msg}`)),
      });
      try {
        const c = t.client("ada");
        const { agent: a1 } = await c.registerAgent({ name: "parked", labels: [] });
        const { agent: a2 } = await c.registerAgent({ name: "aborted", labels: [] });
        const parked = c.claim(a1.id, { waitMs: 60_000 });
        const ac = new AbortController();
        const aborted = c.claim(a2.id, { waitMs: 60_000 }, ac.signal).catch((e: Error) => e);
        await sleep(300); // both reach the server's wait
        ac.abort();
        await t.close();
        assert.deepEqual(await parked, { runs: [], cancel: [] });
        assert.ok((await aborted) instanceof Error, "the aborted poll rejects on the client");
        await sleep(100); // a handler still running would log its failure now
        assert.deepEqual(warnings, []);
      } finally {
        await t.close().catch(() => {});
        await db.drop();
      }
    });
  });
}
