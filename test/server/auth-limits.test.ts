import { test } from "node:test";
import assert from "node:assert/strict";
import { BasicAuth } from "../../src/gateway/client/auth.ts";
import { hashPassword } from "../../src/gateway/server/auth/index.ts";
import { startTestServer, testDatabase } from "./support/test-server.ts";

// A wrong-password flood must not cost a full password check per attempt for ever: after 10
// failures a user name answers 429 with Retry-After (without checking), and the right password
// of another user still works.
test("server auth - failed logins are limited per user name (429 + Retry-After); others still log in", async () => {
  const db = await testDatabase("sqlite");
  const [alice, bob] = await Promise.all([hashPassword("alice-pw"), hashPassword("bob-pw")]);
  const t = await startTestServer(db.url, {
    auth: { type: "basic", users: { alice: { passwordHash: alice }, bob: { passwordHash: bob } } },
  });
  try {
    const get = (auth: BasicAuth) =>
      fetch(`${t.server.url}/api/runs`, { headers: { authorization: auth.authorization() } });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await get(new BasicAuth("alice", "wrong"))).status);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    const limited = await get(new BasicAuth("alice", "wrong"));
    assert.equal(limited.status, 429);
    assert.match(limited.headers.get("retry-after") ?? "", /^\d+$/);
    assert.match(((await limited.json()) as { error: string }).error, /Too many failed/);
    assert.equal((await get(new BasicAuth("bob", "bob-pw"))).status, 200);
  } finally {
    await t.close();
    await db.drop();
  }
});
