import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SecretBox } from "../../../src/gateway/server/secret-box.ts";
import { ClusterStore } from "../../../src/gateway/server/cluster-store.ts";
import { GatewayConfigError } from "../../../src/gateway/server/errors.ts";
import { JobStatus, type ClusterRecord } from "../../../src/gateway/server/cluster-record.ts";

describe("secrets at rest - AES-256-GCM", () => {
  it("round-trips, uses a fresh IV, refuses another key", () => {
    const box = new SecretBox("k1");
    const a = box.seal("secret");
    assert.notEqual(a, box.seal("secret"));
    assert.equal(box.open(a), "secret");
    assert.throws(() => new SecretBox("k2").open(a), GatewayConfigError);
  });

  it("the store never writes the cluster token or TLS key in clear", () => {
    const dir = mkdtempSync(join(tmpdir(), "fg-store-"));
    try {
      const db = join(dir, "g.db");
      const store = new ClusterStore(db, new SecretBox("k"));
      const now = Date.now();
      const c = {
        name: "c1",
        user: "u",
        status: JobStatus.RUNNING,
        target: JobStatus.RUNNING,
        count: 0,
        adapt: null,
        options: {},
        config: {
          worker_cores: 1,
          worker_memory: 1,
          scheduler_cores: 1,
          scheduler_memory: 1,
          environment: {},
          image: null,
        },
        state: {},
        token: "TOKEN-PLAIN",
        tlsCert: "CERT",
        tlsKey: "KEY-PLAIN",
        schedulerAddress: null,
        dashboardAddress: null,
        apiAddress: null,
        startTime: now,
        stopTime: null,
        stopReason: null,
        leaseTtl: null,
        shutdownOnClose: false,
        lastLease: now,
        lastHeartbeat: now,
        lastActivity: now,
        submittedAt: null,
        workerFailures: 0,
        version: 0,
      } satisfies ClusterRecord;
      store.saveCluster(c);
      store.close();
      const raw = new Database(db).prepare("SELECT * FROM clusters").all();
      const text = JSON.stringify(raw);
      assert.ok(!text.includes("TOKEN-PLAIN") && !text.includes("KEY-PLAIN"));
      const back = new ClusterStore(db, new SecretBox("k")).loadClusters()[0]!;
      assert.equal(back.token, "TOKEN-PLAIN");
      assert.equal(back.tlsKey, "KEY-PLAIN");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
