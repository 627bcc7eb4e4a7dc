import assert from "node:assert/strict";
import { readlinkSync } from "node:fs";
import { describe, it } from "node:test";
import {
  api,
  cleanup,
  clusterProcesses,
  createRunning,
  freePort,
  startTestGateway,
  tempDir,
  testConfig,
  waitFor,
} from "./helpers/harness.ts";

describe("gateway recovery - a restarted gateway finds its clusters again", () => {
  it("live clusters are adopted (same processes, still served); dead ones are FAILED and cleaned up", async () => {
    const dir = tempDir();
    const port = await freePort();
    const cfg = testConfig(dir, { address: `127.0.0.1:${port}`, heartbeatTimeoutMs: 3000 });
    let gw = await startTestGateway(cfg, dir);
    try {
      const alive = await createRunning(gw.address);
      assert.equal(
        (await api(gw.address, "POST", `/api/v1/clusters/${alive}/scale`, { body: { count: 1 } }))
          .status,
        200,
      );
      await waitFor(
        async () =>
          (await api(gw.address, "GET", `/api/v1/clusters/${alive}?extended=true`)).body.workers
            .running === 1,
        "worker",
      );
      const doomed = await createRunning(gw.address);
      const before = (await api(gw.address, "GET", `/api/v1/clusters/${alive}?extended=true`)).body;
      const pids = clusterProcesses(gw.dataDir);
      assert.equal(pids.length, 3);

      await gw.kill(); // crash: clusters keep running
      assert.deepEqual(clusterProcesses(cfg.dataDir!).sort(), pids.sort());
      // The doomed cluster's scheduler dies while the gateway is down.
      const doomedPid = clusterProcesses(cfg.dataDir!).find((p) =>
        readlinkSync(`/proc/${p}/cwd`).endsWith(`/clusters/${doomed}`),
      );
      assert.ok(doomedPid);
      process.kill(doomedPid!, "SIGKILL");

      gw = await startTestGateway(cfg, dir);
      const after = (await api(gw.address, "GET", `/api/v1/clusters/${alive}?extended=true`)).body;
      assert.equal(after.status, "RUNNING");
      assert.equal(after.tls_cert, before.tls_cert);
      assert.equal(after.tls_key, before.tls_key, "secrets decrypt after the restart");
      const d = await waitFor(async () => {
        const r = await api(gw.address, "GET", `/api/v1/clusters/${doomed}?extended=true`);
        return r.body.status === "FAILED" && r.body;
      }, "doomed FAILED");
      assert.equal(d.stop_reason, "scheduler process was gone when the gateway restarted");
      // Heartbeats keep coming to the restarted gateway; the adopted cluster still scales.
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(
        (await api(gw.address, "GET", `/api/v1/clusters/${alive}?extended=true`)).body.status,
        "RUNNING",
      );
      assert.equal(
        (await api(gw.address, "POST", `/api/v1/clusters/${alive}/scale`, { body: { count: 2 } }))
          .status,
        200,
      );
      await waitFor(
        async () =>
          (await api(gw.address, "GET", `/api/v1/clusters/${alive}?extended=true`)).body.workers
            .running === 2,
        "2 workers",
      );
      assert.equal(await gw.stop(), 0);
      assert.deepEqual(clusterProcesses(cfg.dataDir!), []);
    } finally {
      cleanup(dir, cfg.dataDir);
    }
  });
});
