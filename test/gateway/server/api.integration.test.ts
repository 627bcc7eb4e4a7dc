import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  api,
  clusterProcesses,
  createRunning,
  startTestGateway,
  tempDir,
  testConfig,
  waitFor,
  type TestGateway,
  stopAndClean,
} from "./helpers/harness.ts";

describe("gateway api - status codes and bodies", () => {
  const dir = tempDir();
  let gw: TestGateway;
  let a: string;
  before(async () => {
    gw = await startTestGateway(
      testConfig(dir, { bodyLimit: 4096, auth: { type: "simple", password: "pw" } }),
      dir,
    );
    a = gw.address;
  });
  after(() => stopAndClean(gw, dir));
  const as = (o: Parameters<typeof api>[3] = {}) => ({ password: "pw", ...o });

  it("health and version need no credentials", async () => {
    assert.deepEqual((await api(a, "GET", "/api/health", { auth: "none" })).body, {
      status: "pass",
    });
    const v = await api(a, "GET", "/api/version", { auth: "none" });
    assert.equal(v.status, 200);
    assert.equal(typeof v.body.version, "string");
  });

  it("no credentials -> 401 with a challenge; wrong password -> 401; right one sets a cookie that works alone", async () => {
    const none = await api(a, "GET", "/api/v1/clusters/", { auth: "none" });
    assert.equal(none.status, 401);
    assert.deepEqual(none.body, { error: "Authentication required" });
    assert.match(none.headers.get("www-authenticate") ?? "", /^Basic/);
    const wrong = await api(a, "GET", "/api/v1/clusters/", { password: "nope" });
    assert.equal(wrong.status, 401);
    assert.equal(typeof wrong.body.error, "string");
    const garbage = await api(a, "GET", "/api/v1/clusters/", { auth: "Basic %%%" });
    assert.equal(garbage.status, 401);
    const ok = await api(a, "GET", "/api/v1/clusters/", as());
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, {});
    const cookie = ok.headers.get("set-cookie")!.split(";")[0]!;
    const viaCookie = await api(a, "GET", "/api/v1/options", { auth: "none", headers: { cookie } });
    assert.equal(viaCookie.status, 200);
    assert.ok(Array.isArray(viaCookie.body.cluster_options));
    const forged = await api(a, "GET", "/api/v1/options", {
      auth: "none",
      headers: { cookie: cookie.slice(0, -3) + "abc" },
    });
    assert.equal(forged.status, 401);
  });

  it("options spec uses Dask Gateway's shape", async () => {
    const r = await api(a, "GET", "/api/v1/options", as());
    const cores = r.body.cluster_options.find((o: { field: string }) => o.field === "worker_cores");
    assert.deepEqual(cores, {
      field: "worker_cores",
      label: "Worker cores",
      default: 1,
      spec: { type: "int", min: 1, max: 16 },
    });
  });

  it("bad create requests -> 422 naming the problem", async () => {
    const malformed = await api(
      a,
      "POST",
      "/api/v1/clusters/",
      as({ rawBody: '{"cluster_options": ' }),
    );
    assert.equal(malformed.status, 422);
    assert.match(malformed.body.error, /Malformed JSON/);
    const notObject = await api(a, "POST", "/api/v1/clusters/", as({ body: [1, 2] }));
    assert.equal(notObject.status, 422);
    const wrongType = await api(
      a,
      "POST",
      "/api/v1/clusters/",
      as({ body: { cluster_options: "big" } }),
    );
    assert.equal(wrongType.status, 422);
    assert.match(wrongType.body.error, /cluster_options/);
    const unknown = await api(
      a,
      "POST",
      "/api/v1/clusters/",
      as({ body: { cluster_options: { gpus: 2 } } }),
    );
    assert.equal(unknown.status, 422);
    assert.match(unknown.body.error, /Unknown option "gpus"; allowed options are "worker_cores"/);
    const outOfRange = await api(
      a,
      "POST",
      "/api/v1/clusters/",
      as({ body: { cluster_options: { worker_cores: 64 } } }),
    );
    assert.equal(outOfRange.status, 422);
    assert.match(outOfRange.body.error, /"worker_cores".*64.*an integer from 1 to 16/);
    const fraction = await api(
      a,
      "POST",
      "/api/v1/clusters/",
      as({ body: { cluster_options: { worker_cores: 1.5 } } }),
    );
    assert.equal(fraction.status, 422);
    const badEnv = await api(
      a,
      "POST",
      "/api/v1/clusters/",
      as({ body: { cluster_options: { environment: { "A B": "x" } } } }),
    );
    assert.equal(badEnv.status, 422);
    assert.match(badEnv.body.error, /"A B".*environment/);
    const envNotString = await api(
      a,
      "POST",
      "/api/v1/clusters/",
      as({ body: { cluster_options: { environment: { A: 1 } } } }),
    );
    assert.equal(envNotString.status, 422);
    const extraKey = await api(
      a,
      "POST",
      "/api/v1/clusters/",
      as({ body: { cluster_option: {} } }),
    );
    assert.equal(extraKey.status, 422);
    const badLease = await api(a, "POST", "/api/v1/clusters/", as({ body: { lease_ttl: -1 } }));
    assert.equal(badLease.status, 422);
    const big = await api(
      a,
      "POST",
      "/api/v1/clusters/",
      as({ body: { cluster_options: { image: "x".repeat(5000) } } }),
    );
    assert.equal(big.status, 413);
    assert.match(big.body.error, /larger than 4096 bytes/);
    assert.deepEqual(
      (
        await api(
          a,
          "GET",
          "/api/v1/clusters/?status=pending,running,stopped,failed,stopping",
          as(),
        )
      ).body,
      {},
    );
  });

  it("unknown and malformed names -> 404; delete of unknown -> 204; bad status filter -> 422", async () => {
    for (const name of ["nope", "..%2F..%2Fetc", "a%2Fb", "%2e%2e", "x%00y"]) {
      const r = await api(a, "GET", `/api/v1/clusters/${name}`, as());
      assert.equal(r.status, 404, name);
      assert.equal(typeof r.body.error, "string");
    }
    assert.deepEqual((await api(a, "GET", "/api/v1/clusters/nope", as())).body, {
      error: "Cluster nope not found",
    });
    assert.equal((await api(a, "GET", "/api/v1/clusters/..%2F..%2Fetc/logs", as())).status, 404);
    assert.equal((await api(a, "DELETE", "/api/v1/clusters/nope", as())).status, 204);
    assert.equal(
      (await api(a, "POST", "/api/v1/clusters/nope/scale", as({ body: { count: 1 } }))).status,
      404,
    );
    const bad = await api(a, "GET", "/api/v1/clusters/?status=RUNNING,bogus", as());
    assert.equal(bad.status, 422);
    assert.match(bad.body.error, /bogus/);
    assert.equal((await api(a, "GET", "/api/v2/nothing", as())).status, 404);
  });

  it("full lifecycle: 201 {name}, ?wait until RUNNING with tls, scale validation, 204 delete, STOPPED with reason", async () => {
    const name = await createRunning(
      a,
      "alice",
      { cluster_options: { worker_cores: 2, environment: { FOO: "bar" } } },
      "pw",
    );
    const g = await api(a, "GET", `/api/v1/clusters/${name}?extended=true`, as());
    assert.equal(g.status, 200);
    for (const k of [
      "name",
      "status",
      "dashboard_route",
      "start_time",
      "stop_time",
      "options",
      "tls_cert",
      "tls_key",
      "user",
      "stop_reason",
      "workers",
      "tunnel_path",
    ])
      assert.ok(k in g.body, k);
    assert.equal(g.body.status, "RUNNING");
    assert.match(g.body.tls_cert, /BEGIN CERTIFICATE/);
    assert.match(g.body.tls_key, /PRIVATE KEY/);
    assert.equal(g.body.dashboard_route, `/clusters/${name}/status`);
    assert.deepEqual(g.body.options, {
      worker_cores: 2,
      worker_memory: 2,
      environment: { FOO: "bar" },
      image: "",
    });
    assert.equal(g.body.user, "alice");
    assert.ok(Object.keys((await api(a, "GET", "/api/v1/clusters/", as())).body).includes(name));

    for (const count of [-1, 1.5, "2", null]) {
      const r = await api(a, "POST", `/api/v1/clusters/${name}/scale`, as({ body: { count } }));
      assert.equal(r.status, 422, String(count));
      assert.match(r.body.error, /count must be an integer from 0 to 1000000, got /);
    }
    assert.equal(
      (await api(a, "POST", `/api/v1/clusters/${name}/scale`, as({ rawBody: "{" }))).status,
      422,
    );
    const minMax = await api(
      a,
      "POST",
      `/api/v1/clusters/${name}/adapt`,
      as({ body: { minimum: 3, maximum: 1 } }),
    );
    assert.equal(minMax.status, 422);
    const scaled = await api(
      a,
      "POST",
      `/api/v1/clusters/${name}/scale`,
      as({ body: { count: 1 } }),
    );
    assert.deepEqual(scaled.body, { ok: true, msg: null });
    await waitFor(
      async () =>
        (await api(a, "GET", `/api/v1/clusters/${name}?extended=1`, as())).body.workers.running ===
        1,
      "1 worker",
    );

    assert.equal((await api(a, "DELETE", `/api/v1/clusters/${name}`, as())).status, 204);
    assert.equal((await api(a, "DELETE", `/api/v1/clusters/${name}`, as())).status, 204);
    const stopped = await waitFor(async () => {
      const r = await api(a, "GET", `/api/v1/clusters/${name}?extended=true`, as());
      return r.body.status === "STOPPED" && r.body;
    }, "STOPPED");
    assert.equal(stopped.stop_reason, "stopped by the user");
    assert.equal(stopped.tls_key, null);
    assert.equal(typeof stopped.stop_time, "number");
    const late = await api(a, "POST", `/api/v1/clusters/${name}/scale`, as({ body: { count: 1 } }));
    assert.equal(late.status, 409);
    assert.match(late.body.error, /is STOPPED, not RUNNING/);
    assert.ok(!(name in (await api(a, "GET", "/api/v1/clusters/", as())).body));
    assert.ok(name in (await api(a, "GET", "/api/v1/clusters/?status=stopped", as())).body);
    assert.deepEqual(clusterProcesses(gw.dataDir), []);
    const logs = await api(a, "GET", `/api/v1/clusters/${name}/logs`, as());
    assert.equal(logs.status, 200);
    assert.match(logs.text, /flowgate scheduler ready/);
    assert.match(logs.text, /flowgate worker ready/);
  });

  it("heartbeats need the cluster token", async () => {
    const r = await api(a, "POST", "/api/v1/clusters/nope/heartbeat", as({ body: {} }));
    assert.equal(r.status, 401);
    assert.equal(
      (await api(a, "POST", "/api/v1/clusters/nope/heartbeat", { auth: "token abc", body: {} }))
        .status,
      404,
    );
  });
});
