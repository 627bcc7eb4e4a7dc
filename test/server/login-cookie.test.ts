import { test } from "node:test";
import assert from "node:assert/strict";
import { BasicAuth } from "../../src/gateway/client/auth.ts";
import { startTestServer, testDatabase } from "./support/test-server.ts";

test("POST /api/login sets a signed session cookie that authenticates later calls", async () => {
  const db = await testDatabase("sqlite");
  const t = await startTestServer(db.url);
  try {
    const url = t.server.url;
    assert.equal((await fetch(`${url}/api/runs`)).status, 401);
    assert.equal((await fetch(`${url}/api/login`, { method: "POST" })).status, 401);
    const login = await fetch(`${url}/api/login`, {
      method: "POST",
      headers: { authorization: new BasicAuth("ada").authorization() },
    });
    assert.equal(login.status, 200);
    assert.deepEqual(await login.json(), { user: "ada", admin: false });
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    assert.match(login.headers.get("set-cookie")!, /HttpOnly/);
    assert.equal((await fetch(`${url}/api/runs`, { headers: { cookie } })).status, 200);
    // a tampered cookie is refused
    const [name, value] = cookie.split("=") as [string, string];
    const forged = `${name}=${Buffer.from(JSON.stringify({ u: "admin", a: true, e: Date.now() + 1e6 })).toString("base64url")}.${value.split(".")[1]}`;
    assert.equal((await fetch(`${url}/api/runs`, { headers: { cookie: forged } })).status, 401);
    const logout = await fetch(`${url}/api/logout`, { method: "POST", headers: { cookie } });
    assert.equal(logout.status, 204);
    assert.match(logout.headers.get("set-cookie")!, /Max-Age=0/);
  } finally {
    await t.close();
    await db.drop();
  }
});
