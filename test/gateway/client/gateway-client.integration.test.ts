import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { startGateway } from "../../../src/gateway/server/index.ts";
import { BasicAuth, ClusterConflictError, Gateway } from "../../../src/gateway/client/index.ts";
import type { GatewayCluster } from "../../../src/gateway/client/index.ts";
import { ClusterClient } from "../../../src/cluster/index.ts";

/** This process's children (the local backend's schedulers and workers), without ps itself. */
function children(): string[] {
  try {
    return execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], {
      encoding: "utf8",
    })
      .split("\n")
      .map((s) => s.trim())
      .filter((line) => line !== "" && !/^\d+ ps /.test(line));
  } catch {
    return []; // ps exits 1 when there are none
  }
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test("client end to end - create, scale, connect through the tunnel, list, stop (real local backend)", async () => {
  const before = new Set(children());
  const gw = await startGateway({
    address: "127.0.0.1:0",
    backend: "unsafe-local",
    db: ":memory:",
    logLevel: "warn",
    heartbeatPeriodMs: 500,
    checkPeriodMs: 200,
  });
  let cluster: GatewayCluster | undefined;
  try {
    const gateway = new Gateway({ address: gw.address, auth: new BasicAuth("ada") });
    cluster = await gateway.newCluster({ leaseTtl: 10 });
    assert.equal(cluster.status, "RUNNING");
    assert.equal(
      cluster.schedulerAddress,
      `${gw.address.replace("http", "ws")}/clusters/${cluster.name}/scheduler`,
    );

    assert.deepEqual(await cluster.scale(1), { ok: true, msg: null });
    const c = cluster;
    await until("a running worker", async () =>
      (await c.workerCounts()).running >= 1 ? true : undefined,
    );

    // One public address: the scheduler is reached through the gateway with the cluster's TLS.
    const client = await ClusterClient.connect(cluster.schedulerAddress, cluster.security, 15_000);
    client.close();

    const listed = await gateway.listClusters();
    assert.deepEqual(
      listed.map((r) => [r.name, r.status, r.user, r.workers?.running]),
      [[cluster.name, "RUNNING", "ada", 1]],
    );

    await cluster.close();
    const name = cluster.name;
    const stopped = await until("STOPPED", async () => {
      const r = await gateway.getCluster(name);
      return r.status === "STOPPED" ? r : undefined;
    });
    assert.equal(stopped.stopReason, "stopped by the user");
    assert.deepEqual(await gateway.listClusters(), []);
    await assert.rejects(gateway.scaleCluster(name, 2), ClusterConflictError);
  } finally {
    await cluster?.close().catch(() => undefined);
    await gw.close();
  }
  await until(
    "no cluster processes left",
    async () => (children().filter((pid) => !before.has(pid)).length === 0 ? true : undefined),
    10_000,
  );
});
