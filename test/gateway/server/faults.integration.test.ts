import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  api,
  clusterProcesses,
  fakeCommands,
  startTestGateway,
  tempDir,
  testConfig,
  waitFor,
  type TestGateway,
  stopAndClean,
} from "./helpers/harness.ts";

describe("gateway faults - every failure ends FAILED with a reason and no process left", () => {
  const dir = tempDir();
  let gw: TestGateway;
  before(async () => {
    // Cold starts here (no warm spares), so both start paths of the local backend are covered.
    gw = await startTestGateway(
      testConfig(dir, {
        clusterStartTimeoutMs: 3000,
        heartbeatTimeoutMs: 1000,
        workerStartTimeoutMs: 3000,
        local: { ...fakeCommands(), warmProcesses: 0, stopGraceMs: 500 },
      }),
      dir,
    );
  });
  after(() => stopAndClean(gw, dir));

  async function create(env: Record<string, string>): Promise<string> {
    const r = await api(gw.address, "POST", "/api/v1/clusters/", {
      body: { cluster_options: { environment: env } },
    });
    assert.equal(r.status, 201);
    return r.body.name;
  }
  async function finalState(name: string, timeoutMs = 15_000) {
    return waitFor(
      async () => {
        const r = await api(gw.address, "GET", `/api/v1/clusters/${name}?extended=true`);
        return (r.body.status === "FAILED" || r.body.status === "STOPPED") && r.body;
      },
      `${name} to end`,
      timeoutMs,
    );
  }

  it("a scheduler that fails to start -> FAILED, its output in the logs", async () => {
    const name = await create({ FAKE_FAIL: "start" });
    const c = await finalState(name);
    assert.equal(c.status, "FAILED");
    assert.match(c.stop_reason, /scheduler exited before connecting \(exit 1\)/);
    const logs = await api(gw.address, "GET", `/api/v1/clusters/${name}/logs`);
    assert.match(logs.text, /failing at start/);
  });

  it("a scheduler that never connects -> FAILED at the start timeout", async () => {
    const name = await create({ FAKE_FAIL: "hang" });
    const c = await finalState(name);
    assert.equal(c.status, "FAILED");
    assert.match(c.stop_reason, /did not connect within 3 s/);
  });

  it("a scheduler that dies after connecting -> FAILED", async () => {
    const name = await create({ FAKE_FAIL: "after-connect", FAKE_FAIL_DELAY_MS: "500" });
    await waitFor(
      async () =>
        (await api(gw.address, "GET", `/api/v1/clusters/${name}?extended=true`)).body.status ===
        "RUNNING",
      "RUNNING",
    );
    const c = await finalState(name);
    assert.equal(c.status, "FAILED");
    assert.match(c.stop_reason, /scheduler exited after connecting \(exit 3\)/);
  });

  it("a scheduler that stops sending heartbeats -> FAILED at the heartbeat timeout", async () => {
    const name = await create({ FAKE_FAIL: "silent" });
    const c = await finalState(name);
    assert.equal(c.status, "FAILED");
    assert.match(c.stop_reason, /no heartbeat from the scheduler/);
  });

  it("workers that never connect -> worker start timeout, 3 in a row -> cluster FAILED", async () => {
    const name = await create({ FAKE_WORKER_FAIL: "hang" });
    await waitFor(
      async () =>
        (await api(gw.address, "GET", `/api/v1/clusters/${name}?wait&extended=true`)).body
          .status === "RUNNING",
      "RUNNING",
    );
    assert.equal(
      (await api(gw.address, "POST", `/api/v1/clusters/${name}/scale`, { body: { count: 1 } }))
        .status,
      200,
    );
    const c = await finalState(name, 30_000);
    assert.equal(c.status, "FAILED");
    assert.match(
      c.stop_reason,
      /3 workers failed to start in a row; last: worker did not connect within 3 s \(worker start timeout\)/,
    );
    assert.deepEqual(clusterProcesses(gw.dataDir), []);
  });

  it("a scheduler that ignores SIGTERM is killed after the grace period", async () => {
    const name = await create({ FAKE_IGNORE_SIGTERM: "1" });
    await waitFor(
      async () =>
        (await api(gw.address, "GET", `/api/v1/clusters/${name}?wait&extended=true`)).body
          .status === "RUNNING",
      "RUNNING",
    );
    const t = Date.now();
    assert.equal((await api(gw.address, "DELETE", `/api/v1/clusters/${name}`)).status, 204);
    const c = await finalState(name);
    assert.equal(c.status, "STOPPED");
    assert.ok(Date.now() - t >= 450, "waited for the grace period");
    assert.deepEqual(clusterProcesses(gw.dataDir), []);
    assert.match(
      (await api(gw.address, "GET", `/api/v1/clusters/${name}/logs`)).text,
      /ignoring SIGTERM/,
    );
  });

  it("a cluster stopped while it starts ends STOPPED with nothing left", async () => {
    for (let i = 0; i < 3; i++) {
      const name = await create({});
      await new Promise((r) => setTimeout(r, i * 150));
      assert.equal((await api(gw.address, "DELETE", `/api/v1/clusters/${name}`)).status, 204);
      const c = await finalState(name);
      assert.equal(c.status, "STOPPED");
      assert.equal(c.stop_reason, "stopped by the user");
    }
    await waitFor(() => clusterProcesses(gw.dataDir).length === 0, "no processes");
  });

  it("3 workers failing to start in a row -> cluster FAILED with the reason", async () => {
    const name = await create({ FAKE_WORKER_FAIL: "start" });
    await waitFor(
      async () =>
        (await api(gw.address, "GET", `/api/v1/clusters/${name}?wait&extended=true`)).body
          .status === "RUNNING",
      "RUNNING",
    );
    assert.equal(
      (await api(gw.address, "POST", `/api/v1/clusters/${name}/scale`, { body: { count: 1 } }))
        .status,
      200,
    );
    const c = await finalState(name);
    assert.equal(c.status, "FAILED");
    assert.match(
      c.stop_reason,
      /3 workers failed to start in a row; last: worker exited with 1 before connecting/,
    );
    const logs = await api(gw.address, "GET", `/api/v1/clusters/${name}/logs`);
    assert.match(logs.text, /FAKE_WORKER_FAIL=start/);
    assert.deepEqual(clusterProcesses(gw.dataDir), []);
  });
});
