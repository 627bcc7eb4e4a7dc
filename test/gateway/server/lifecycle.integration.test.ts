import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  api,
  cleanup,
  clusterProcesses,
  createRunning,
  startTestGateway,
  tempDir,
  testConfig,
  waitFor,
  type TestGateway,
  stopAndClean,
} from "./helpers/harness.ts";

async function ended(gw: TestGateway, name: string, timeoutMs = 15_000) {
  return waitFor(
    async () => {
      const r = await api(gw.address, "GET", `/api/v1/clusters/${name}?extended=true`);
      return (r.body.status === "STOPPED" || r.body.status === "FAILED") && r.body;
    },
    `${name} to stop`,
    timeoutMs,
  );
}

describe("gateway lifecycle - idle timeout", () => {
  const dir = tempDir();
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway(testConfig(dir, { idleTimeoutMs: 1500 }), dir);
  });
  after(() => stopAndClean(gw, dir));

  it("an idle cluster is stopped with the reason", async () => {
    const name = await createRunning(gw.address);
    const t = Date.now();
    const c = await ended(gw, name);
    assert.equal(c.status, "STOPPED");
    assert.match(c.stop_reason, /^idle for .* \(idle timeout 1\.5 s\)$/);
    assert.ok(Date.now() - t < 5000);
    assert.deepEqual(clusterProcesses(gw.dataDir), []);
  });
});

describe("gateway lifecycle - client lease", () => {
  const dir = tempDir();
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway(testConfig(dir), dir);
  });
  after(() => stopAndClean(gw, dir));

  it("a cluster whose client stops renewing its lease is stopped; renewing keeps it", async () => {
    const body = { cluster_options: {}, shutdown_on_close: true, lease_ttl: 2 };
    const kept = await createRunning(gw.address, "alice", body);
    const renewals: number[] = [];
    const renew = setInterval(
      () =>
        void api(gw.address, "POST", `/api/v1/clusters/${kept}/lease`).then((r) =>
          renewals.push(r.status),
        ),
      300,
    );
    const dropped = await createRunning(gw.address, "alice", body);
    assert.equal(
      (await api(gw.address, "GET", `/api/v1/clusters/${kept}?extended=true`)).body.lease_ttl,
      2,
    );
    const c = await ended(gw, dropped);
    assert.equal(c.stop_reason, "client lease expired");
    clearInterval(renew);
    assert.ok(renewals.length > 3 && renewals.every((r) => r === 204));
    assert.equal(
      (await api(gw.address, "GET", `/api/v1/clusters/${kept}?extended=true`)).body.status,
      "RUNNING",
    );
    assert.equal((await api(gw.address, "DELETE", `/api/v1/clusters/${kept}`)).status, 204);
    await ended(gw, kept);
    assert.equal((await api(gw.address, "POST", `/api/v1/clusters/${kept}/lease`)).status, 409);
  });
});

describe("gateway lifecycle - maximum lifetime", () => {
  const dir = tempDir();
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway(testConfig(dir, { maxLifetimeMs: 2000 }), dir);
  });
  after(async () => {
    assert.equal(await gw.stop(), 0);
    cleanup(dir, gw.dataDir);
  });

  it("a cluster is stopped at its maximum lifetime even when busy", async () => {
    const name = await createRunning(gw.address);
    const c = await ended(gw, name);
    assert.equal(c.stop_reason, "maximum lifetime of 2 s reached");
    // The lifetime counts from the request; start_time is when it became RUNNING, later under load.
    assert.ok(c.stop_time > c.start_time);
  });
});

describe("gateway lifecycle - stopping the gateway stops every cluster", () => {
  it("SIGTERM stops all clusters, then exits 0", async () => {
    const dir = tempDir();
    const gw = await startTestGateway(testConfig(dir), dir);
    try {
      await createRunning(gw.address);
      const n = await createRunning(gw.address, "bob");
      await api(gw.address, "POST", `/api/v1/clusters/${n}/scale`, {
        user: "bob",
        body: { count: 2 },
      });
      await waitFor(
        async () =>
          (await api(gw.address, "GET", `/api/v1/clusters/${n}?extended=true`, { user: "bob" }))
            .body.workers.running === 2,
        "workers",
      );
      assert.ok(clusterProcesses(gw.dataDir).length >= 4);
      assert.equal(await gw.stop(), 0);
      assert.deepEqual(clusterProcesses(gw.dataDir), []);
    } finally {
      cleanup(dir, gw.dataDir);
    }
  });
});
