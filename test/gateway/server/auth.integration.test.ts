import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SignJWT } from "jose";
import { hashPassword } from "../../../src/gateway/server/index.ts";
import {
  api,
  cleanup,
  createRunning,
  startTestGateway,
  tempDir,
  testConfig,
  waitFor,
  type TestGateway,
  stopAndClean,
} from "./helpers/harness.ts";

describe("gateway auth - one user can neither see nor stop another's cluster", () => {
  const dir = tempDir();
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway(
      testConfig(dir, { auth: { type: "simple", admins: ["root"] } }),
      dir,
    );
  });
  after(() => stopAndClean(gw, dir));

  it("bob gets 403 on alice's cluster, does not list it; admin sees and stops it", async () => {
    const a = gw.address;
    const name = await createRunning(a, "alice");
    assert.deepEqual((await api(a, "GET", "/api/v1/clusters/", { user: "bob" })).body, {});
    const get = await api(a, "GET", `/api/v1/clusters/${name}?extended=true`, { user: "bob" });
    assert.equal(get.status, 403);
    assert.match(get.body.error, /"bob" is not allowed/);
    assert.equal((await api(a, "DELETE", `/api/v1/clusters/${name}`, { user: "bob" })).status, 403);
    assert.equal(
      (await api(a, "POST", `/api/v1/clusters/${name}/scale`, { user: "bob", body: { count: 1 } }))
        .status,
      403,
    );
    assert.equal(
      (await api(a, "POST", `/api/v1/clusters/${name}/adapt`, { user: "bob", body: {} })).status,
      403,
    );
    assert.equal(
      (await api(a, "GET", `/api/v1/clusters/${name}/logs`, { user: "bob" })).status,
      403,
    );
    assert.equal((await api(a, "GET", `/clusters/${name}/status`, { user: "bob" })).status, 403);
    assert.equal(
      (await api(a, "POST", `/api/v1/clusters/${name}/lease`, { user: "bob" })).status,
      403,
    );
    assert.equal(
      (await api(a, "GET", `/api/v1/clusters/${name}?extended=true`, { user: "alice" })).body
        .status,
      "RUNNING",
    );
    assert.ok(name in (await api(a, "GET", "/api/v1/clusters/", { user: "root" })).body);
    assert.equal(
      (await api(a, "DELETE", `/api/v1/clusters/${name}`, { user: "root" })).status,
      204,
    );
    const r = await waitFor(async () => {
      const g = await api(a, "GET", `/api/v1/clusters/${name}?extended=true`, { user: "alice" });
      return g.body.status === "STOPPED" && g.body;
    }, "STOPPED");
    assert.equal(r.stop_reason, "stopped by admin root");
  });
});

describe("gateway auth - basic (scrypt) and token (API tokens, JWT)", () => {
  // Two gateways at once: each needs its own state (one database has one gateway).
  const dir = tempDir();
  const tokenDir = tempDir();
  let basic: TestGateway;
  let token: TestGateway;
  before(async () => {
    const passwordHash = await hashPassword("s3cret", { N: 1024, r: 8, p: 1 });
    basic = await startTestGateway(
      testConfig(dir, { auth: { type: "basic", users: { carol: { passwordHash } } } }),
      dir,
    );
    token = await startTestGateway(
      testConfig(tokenDir, {
        auth: {
          type: "token",
          tokens: { "tok-dave": { user: "dave" } },
          jwt: { secret: "jwt-secret-of-at-least-32-bytes!!", issuer: "test" },
        },
      }),
      tokenDir,
    );
  });
  after(async () => {
    assert.equal(await basic.stop(), 0);
    assert.equal(await token.stop(), 0);
    cleanup(dir);
    cleanup(tokenDir);
  });

  it("basic accepts the listed user with the right password only", async () => {
    assert.equal(
      (await api(basic.address, "GET", "/api/v1/clusters/", { user: "carol", password: "s3cret" }))
        .status,
      200,
    );
    assert.equal(
      (await api(basic.address, "GET", "/api/v1/clusters/", { user: "carol", password: "wrong" }))
        .status,
      401,
    );
    assert.equal(
      (
        await api(basic.address, "GET", "/api/v1/clusters/", {
          user: "mallory",
          password: "s3cret",
        })
      ).status,
      401,
    );
  });

  it("token accepts API tokens and signed JWTs, rejects others", async () => {
    const t = token.address;
    const none = await api(t, "GET", "/api/v1/clusters/", { auth: "none" });
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer/);
    assert.equal(
      (await api(t, "GET", "/api/v1/clusters/", { auth: "Bearer tok-dave" })).status,
      200,
    );
    assert.equal(
      (await api(t, "GET", "/api/v1/clusters/", { auth: "Bearer tok-eve" })).status,
      401,
    );
    const key = new TextEncoder().encode("jwt-secret-of-at-least-32-bytes!!");
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("erin")
      .setIssuer("test")
      .setExpirationTime("5m")
      .sign(key);
    assert.equal((await api(t, "GET", "/api/v1/clusters/", { auth: `Bearer ${jwt}` })).status, 200);
    const bad = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("erin")
      .setIssuer("test")
      .sign(new TextEncoder().encode("another-secret-of-at-least-32-byt"));
    assert.equal((await api(t, "GET", "/api/v1/clusters/", { auth: `Bearer ${bad}` })).status, 401);
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("erin")
      .setIssuer("test")
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(key);
    assert.equal(
      (await api(t, "GET", "/api/v1/clusters/", { auth: `Bearer ${expired}` })).status,
      401,
    );
  });
});
