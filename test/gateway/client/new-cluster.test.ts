import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import {
  BasicAuth,
  ClusterFailedError,
  ClusterStartTimeoutError,
  Gateway,
} from "../../../src/gateway/client/index.ts";
import { FakeGateway } from "./fake-gateway.ts";

async function withFake(
  options: ConstructorParameters<typeof FakeGateway>[0],
  body: (fake: FakeGateway, gw: Gateway) => Promise<void>,
) {
  const fake = await new FakeGateway(options).start();
  try {
    await body(fake, new Gateway({ address: fake.address, auth: new BasicAuth("ada") }));
  } finally {
    await fake.stop();
  }
}

test("client newCluster - creates with lease, long-polls until RUNNING, derives addresses and security", () =>
  withFake({ startAfterMs: 150 }, async (fake, gateway) => {
    const started = Date.now();
    const cluster = await gateway.newCluster({ clusterOptions: { worker_cores: 2 } });
    try {
      const create = fake.requests.find(
        (r) => r.method === "POST" && r.path === "/api/v1/clusters/",
      )!;
      assert.deepEqual(create.body, {
        cluster_options: { worker_cores: 2 },
        shutdown_on_close: true,
        lease_ttl: 30,
      });
      const waits = fake.requests.filter((r) => r.method === "GET" && r.query.has("wait"));
      assert.equal(waits.length, 1, "one long poll was enough");
      assert.ok(Date.now() - started < 1000);
      const port = new URL(fake.address).port;
      assert.equal(cluster.name, "c1");
      assert.equal(cluster.status, "RUNNING");
      assert.equal(cluster.schedulerAddress, `ws://127.0.0.1:${port}/clusters/c1/scheduler`);
      assert.equal(cluster.dashboardLink, `http://127.0.0.1:${port}/clusters/c1/status`);
      assert.match(cluster.security.tlsCert, /BEGIN CERTIFICATE/);
      assert.match(cluster.security.tlsKey, /BEGIN PRIVATE KEY/);
      assert.deepEqual(cluster.security.headers, {
        Authorization: new BasicAuth("ada").authorization(),
      });
    } finally {
      await cluster.close();
    }
    assert.equal(fake.clusters.get("c1")!.status, "STOPPED", "close() shut it down");
    assert.equal(cluster.status, "STOPPING");
  }));

test("client newCluster - a gateway without long poll is re-polled with a short pause", () =>
  withFake({ startAfterMs: 300, waitMs: 0 }, async (fake, gateway) => {
    const cluster = await gateway.newCluster({ shutdownOnClose: false });
    const polls = fake.requests.filter((r) => r.query.has("wait")).length;
    assert.ok(polls >= 2 && polls <= 12, `${polls} polls`);
    assert.equal(cluster.status, "RUNNING");
    const create = fake.requests.find((r) => r.method === "POST")!;
    assert.deepEqual(create.body, { cluster_options: {} }, "no lease without shutdownOnClose");
    await cluster.close();
    assert.equal(
      fake.clusters.get("c1")!.status,
      "RUNNING",
      "close() without shutdownOnClose keeps it",
    );
  }));

test("client newCluster - FAILED throws with the stop reason and the log's tail", () =>
  withFake(
    { fail: "scheduler exited 1; see GET /api/v1/clusters/c1/logs" },
    async (fake, gateway) => {
      await assert.rejects(gateway.newCluster(), (e: unknown) => {
        assert.ok(e instanceof ClusterFailedError);
        assert.equal(e.code, "FG_GATEWAY_CLUSTER_FAILED");
        assert.equal(e.clusterName, "c1");
        assert.equal(e.clusterStatus, "FAILED");
        assert.equal(e.stopReason, "scheduler exited 1; see GET /api/v1/clusters/c1/logs");
        assert.match(e.message, /cluster "c1" did not start: it is FAILED \(scheduler exited 1/);
        assert.match(e.message, /last lines of its log ---\nscheduler starting…\nline 2$/);
        return true;
      });
      assert.ok(
        fake.requests.some((r) => r.method === "GET" && r.path === "/api/v1/clusters/c1/logs"),
      );
      assert.ok(
        fake.requests.some((r) => r.method === "DELETE" && r.path === "/api/v1/clusters/c1"),
      );
    },
  ));

test("client newCluster - stopped while starting counts as failed", () =>
  withFake({ startAfterMs: 5000 }, async (fake, gateway) => {
    setTimeout(() => fake.setStatus("c1", "STOPPED", "stopped by admin root"), 100);
    await assert.rejects(gateway.newCluster(), /it is STOPPED \(stopped by admin root\)/);
  }));

test("client newCluster - startTimeout stops the cluster and throws", () =>
  withFake({ startAfterMs: 10_000, waitMs: 5000 }, async (fake, gateway) => {
    const started = Date.now();
    await assert.rejects(gateway.newCluster({ startTimeout: 300 }), (e: unknown) => {
      assert.ok(e instanceof ClusterStartTimeoutError);
      assert.match(e.message, /still PENDING after 300 ms and has been stopped/);
      return true;
    });
    assert.ok(Date.now() - started < 2000, "the long poll was cut at the deadline");
    assert.equal(fake.clusters.get("c1")!.status, "STOPPED");
  }));

test("client lease - renewed every leaseTtl/3 while open, and no more after close()", () =>
  withFake({}, async (fake, gateway) => {
    const cluster = await gateway.newCluster({ leaseTtl: 0.3 });
    await sleep(550);
    const renewals = fake.requests.filter((r) => r.path === "/api/v1/clusters/c1/lease");
    assert.ok(
      renewals.length >= 4 && renewals.length <= 6,
      `${renewals.length} renewals in ~550 ms`,
    );
    assert.ok(renewals.every((r) => r.method === "POST"));
    await cluster.close();
    const after = fake.requests.length;
    await sleep(250);
    assert.equal(fake.requests.length, after, "no requests after close()");
  }));

test("client lease - stops renewing when the gateway says the cluster is no longer running", () =>
  withFake({}, async (fake, gateway) => {
    const cluster = await gateway.newCluster({ leaseTtl: 0.15 });
    fake.setStatus("c1", "STOPPED", "client lease expired");
    await sleep(300);
    const count = fake.requests.filter((r) => r.path.endsWith("/lease")).length;
    await sleep(200);
    assert.equal(
      fake.requests.filter((r) => r.path.endsWith("/lease")).length,
      count,
      "renewals stopped after the 409",
    );
    await cluster.close({ shutdown: false });
  }));

test("client cluster - scale, adapt, logs, refresh and await using", () =>
  withFake({}, async (fake, gateway) => {
    {
      await using cluster = await gateway.newCluster();
      assert.deepEqual(await cluster.scale(2), { ok: true, msg: null });
      assert.deepEqual(await cluster.scale(9), { ok: false, msg: "clamped to 5" });
      assert.deepEqual(await cluster.adapt({ minimum: 1, maximum: 4 }), { ok: true, msg: null });
      assert.deepEqual(await cluster.workerCounts(), { target: 5, running: 5, pending: 0 });
      assert.match(await cluster.logs(), /scheduler starting/);
      await assert.rejects(cluster.scale(-1), /count must be a whole number ≥ 0/);
      await assert.rejects(cluster.adapt({ minimum: 3, maximum: 1 }), /minimum ≤ maximum/);
      const adapt = fake.requests.find((r) => r.path.endsWith("/adapt"))!;
      assert.deepEqual(adapt.body, { minimum: 1, maximum: 4, active: true });
    }
    assert.equal(fake.clusters.get("c1")!.status, "STOPPED", "disposed at the end of the block");
  }));

test("client gateway - submit, connect, list, get, options, stop", () =>
  withFake({}, async (fake, gateway) => {
    const name = await gateway.submit({ clusterOptions: { worker_cores: 1 } });
    assert.equal(name, "c1");
    const cluster = await gateway.connect(name);
    assert.equal(cluster.shutdownOnClose, false);
    assert.equal(cluster.status, "RUNNING");
    const list = await gateway.listClusters();
    assert.deepEqual(
      list.map((c) => [c.name, c.status, c.user]),
      [["c1", "RUNNING", "ada"]],
    );
    assert.equal(
      (await gateway.getCluster(name)).dashboardLink,
      `${fake.address}/clusters/c1/status`,
    );
    assert.equal((await gateway.clusterOptions())[0]!.field, "worker_cores");
    await gateway.stopCluster(name);
    await gateway.stopCluster(name); // idempotent
    assert.deepEqual(await gateway.listClusters(), []);
    const stopped = await gateway.listClusters(["STOPPED", "FAILED"]);
    assert.equal(stopped[0]!.stopReason, "stopped by the user");
    assert.equal(stopped[0]!.security, null);
    assert.equal(fake.requests.at(-1)!.query.get("status"), "STOPPED,FAILED");
    await cluster.close();
  }));
