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

describe("gateway scaling - adapt, limits, quotas", () => {
  const dir = tempDir();
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway(
      testConfig(dir, {
        limits: { maxWorkers: 3 },
        quotas: { default: { maxClusters: 2 }, users: { carl: { maxCores: 4 } } },
      }),
      dir,
    );
  });
  after(() => stopAndClean(gw, dir));
  const model = async (name: string, user = "alice") =>
    (await api(gw.address, "GET", `/api/v1/clusters/${name}?extended=true`, { user })).body;

  it("adaptive scaling follows the scheduler's target 0 -> n -> 0", async () => {
    const name = await createRunning(gw.address, "alice", {
      cluster_options: { environment: { FAKE_ADAPT_BURST_MS: "2500" } },
    });
    const r = await api(gw.address, "POST", `/api/v1/clusters/${name}/adapt`, {
      body: { minimum: 0, maximum: 2 },
    });
    assert.deepEqual(r.body, { ok: true, msg: null });
    await waitFor(async () => (await model(name)).workers.running === 2, "2 workers");
    assert.deepEqual((await model(name)).adapt, { minimum: 0, maximum: 2, active: true });
    await waitFor(async () => {
      const m = await model(name);
      return m.workers.running === 0 && m.workers.pending === 0 && m.workers.target === 0;
    }, "0 workers");
    assert.equal((await model(name)).status, "RUNNING");
    await waitFor(() => clusterProcesses(gw.dataDir).length === 1, "only the scheduler left");
    assert.equal((await api(gw.address, "DELETE", `/api/v1/clusters/${name}`)).status, 204);
  });

  it("scale is clamped to the per-cluster limit with ok:false and a message; adapt too", async () => {
    const name = await createRunning(gw.address, "alice");
    const r = await api(gw.address, "POST", `/api/v1/clusters/${name}/scale`, {
      body: { count: 5 },
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.ok, false);
    assert.match(r.body.msg, /scaling to 3 instead/);
    await waitFor(async () => (await model(name)).workers.running === 3, "3 workers");
    const a = await api(gw.address, "POST", `/api/v1/clusters/${name}/adapt`, {
      body: { minimum: 0, maximum: 10 },
    });
    assert.equal(a.body.ok, false);
    assert.equal((await model(name)).adapt.maximum, 3);
    assert.equal((await api(gw.address, "DELETE", `/api/v1/clusters/${name}`)).status, 204);
  });

  it("per-user quotas are enforced atomically: of 6 concurrent creates only 2 pass", async () => {
    const rs = await Promise.all(
      Array.from({ length: 6 }, () =>
        api(gw.address, "POST", "/api/v1/clusters/", { user: "quinn", body: {} }),
      ),
    );
    const codes = rs.map((r) => r.status).sort();
    assert.deepEqual(codes, [201, 201, 409, 409, 409, 409]);
    assert.match(
      rs.find((r) => r.status === 409)!.body.error,
      /already has 2 active clusters, the quota is 2/,
    );
    for (const r of rs.filter((r) => r.status === 201))
      await api(gw.address, "DELETE", `/api/v1/clusters/${r.body.name}`, { user: "quinn" });
  });

  it("a core quota caps the workers a user may scale to", async () => {
    const name = await createRunning(gw.address, "carl", { cluster_options: { worker_cores: 2 } });
    const r = await api(gw.address, "POST", `/api/v1/clusters/${name}/scale`, {
      user: "carl",
      body: { count: 3 },
    });
    assert.equal(r.body.ok, false);
    assert.equal((await model(name, "carl")).workers.target, 1); // 4 cores - 1 for the scheduler = 1 worker of 2 cores
    assert.equal(
      (await api(gw.address, "DELETE", `/api/v1/clusters/${name}`, { user: "carl" })).status,
      204,
    );
  });
});
