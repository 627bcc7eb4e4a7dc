import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  api,
  createRunning,
  startTestGateway,
  tempDir,
  testConfig,
  type TestGateway,
  stopAndClean,
} from "./helpers/harness.ts";

describe("gateway request rules - content types, methods, repeated query parameters, body keys", () => {
  const dir = tempDir();
  let gw: TestGateway;
  let a: string;
  let name: string;
  before(async () => {
    gw = await startTestGateway(testConfig(dir), dir);
    a = gw.address;
    name = await createRunning(a);
  });
  after(() => stopAndClean(gw, dir));

  it("text/plain, multipart and form bodies -> 415 naming the type; JSON with or without a type is read", async () => {
    const json = '{"cluster_options": {}}';
    for (const type of [
      "text/plain",
      "multipart/form-data; boundary=xyz",
      "application/x-www-form-urlencoded",
    ]) {
      const r = await api(a, "POST", "/api/v1/clusters/", {
        rawBody: type.startsWith("multipart")
          ? '--xyz\r\nContent-Disposition: form-data; name="cluster_options"\r\n\r\n{}\r\n--xyz--\r\n'
          : json,
        headers: { "content-type": type },
      });
      assert.equal(r.status, 415, type);
      assert.match(r.body.error, /is not accepted by \/api\/v1\/clusters\/; send a JSON body/);
      assert.ok(r.body.error.includes(JSON.stringify(type)), r.body.error);
    }
    const scale = await api(a, "POST", `/api/v1/clusters/${name}/scale`, {
      rawBody: "count=1",
      headers: { "content-type": "text/plain" },
    });
    assert.equal(scale.status, 415);
    const charset = await api(a, "POST", `/api/v1/clusters/${name}/scale`, {
      rawBody: '{"count": 0}',
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    assert.equal(charset.status, 200);
    const untyped = await fetch(`${a}/api/v1/clusters/${name}/scale`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from("alice:").toString("base64")}` },
      body: new Uint8Array(Buffer.from('{"count": 0}')), // a byte body: fetch adds no Content-Type
    });
    assert.equal(untyped.status, 200);
  });

  it("PUT and PATCH on API paths -> 405 with Allow; unknown API paths stay 404", async () => {
    for (const [method, path, allow] of [
      ["PUT", "/api/v1/clusters/", /GET.*POST/],
      ["PATCH", "/api/v1/clusters/", /GET.*POST/],
      ["PUT", `/api/v1/clusters/${name}`, /DELETE.*GET/],
      ["PATCH", `/api/v1/clusters/${name}/scale`, /^POST$/],
      ["DELETE", "/api/v1/options", /GET/],
    ] as const) {
      const r = await api(a, method, path, { body: {} });
      assert.equal(r.status, 405, `${method} ${path}`);
      assert.match(r.headers.get("allow") ?? "", allow, `${method} ${path}`);
      assert.match(r.body.error, new RegExp(`^Method ${method} is not allowed on `));
    }
    assert.equal((await api(a, "PUT", "/api/v2/clusters/", { body: {} })).status, 404);
  });

  it("?status repeated filters like a comma-separated list (no 500)", async () => {
    const both = await api(a, "GET", "/api/v1/clusters/?status=running&status=stopped");
    assert.equal(both.status, 200);
    assert.ok(name in both.body);
    const neither = await api(a, "GET", "/api/v1/clusters/?status=stopped&status=failed");
    assert.equal(neither.status, 200);
    assert.deepEqual(neither.body, {});
    const mixed = await api(a, "GET", "/api/v1/clusters/?status=stopped,pending&status=RUNNING");
    assert.ok(name in mixed.body);
    const bad = await api(a, "GET", "/api/v1/clusters/?status=running&status=bogus");
    assert.equal(bad.status, 422);
    assert.match(bad.body.error, /bogus/);
    const badFlag = await api(a, "GET", "/api/v1/clusters/?extended=maybe");
    assert.equal(badFlag.status, 422);
  });

  it("unknown body keys -> 422 naming the key and the nearest known one", async () => {
    const r = await api(a, "POST", `/api/v1/clusters/${name}/scale`, { body: { cout: 1 } });
    assert.equal(r.status, 422);
    assert.match(r.body.error, /unknown key "cout", did you mean "count"\?/);
    const c = await api(a, "POST", "/api/v1/clusters/", { body: { cluster_option: {} } });
    assert.equal(c.status, 422);
    assert.match(c.body.error, /unknown key "cluster_option", did you mean "cluster_options"\?/);
  });
});
