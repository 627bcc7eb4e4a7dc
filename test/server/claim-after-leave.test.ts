import { test } from "node:test";
import assert from "node:assert/strict";
import { registerTestFlow, startTestServer, testDatabase } from "./support/test-server.ts";

test("claims - a long poll left open by an agent that has left takes no run", async () => {
  const db = await testDatabase("sqlite");
  const t = await startTestServer(db.url);
  try {
    const c = t.client("ada");
    const flow = await registerTestFlow(c, "leaver");
    const { agent } = await c.registerAgent({ name: "leaver", labels: [] });
    const poll = c.claim(agent.id, { waitMs: 3000 });
    await new Promise((r) => setTimeout(r, 100)); // the poll is parked on the server
    await c.deregisterAgent(agent.id);
    const run = await c.createRun({ flow });
    const got = await poll.catch((e: unknown) => e);
    assert.ok(!("runs" in (got as object)) || (got as { runs: unknown[] }).runs.length === 0);
    assert.equal((await c.getRun(run.id)).state, "Scheduled", "the run waits for a live agent");
    const { agent: next } = await c.registerAgent({ name: "next", labels: [] });
    const claimed = await c.claim(next.id, { waitMs: 1000 });
    assert.deepEqual(
      claimed.runs.map((r) => r.run.id),
      [run.id],
    );
  } finally {
    await t.close();
    await db.drop();
  }
});
