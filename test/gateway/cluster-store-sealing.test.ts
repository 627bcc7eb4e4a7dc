// The store seals what a user sent (options, hence `environment`) and keeps working with rows an
// older version wrote with options in clear: they are read back and sealed on their next save.
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ClusterStore } from "../../src/gateway/server/cluster-store.ts";
import { SecretBox } from "../../src/gateway/server/secret-box.ts";
import { clusterRecord } from "./kubernetes/kube-harness.ts";

test("cluster store - a row with options in clear (older version) loads, and its next save seals them", () => {
  const dir = mkdtempSync(join(tmpdir(), "fg-store-seal-"));
  try {
    const path = join(dir, "g.db");
    const box = new SecretBox("k");
    const c = clusterRecord({ environment: { API_KEY: "legacy-plaintext-value" } });
    const { token, tlsKey, ...rest } = c;
    const old = new Database(path);
    old.exec(`CREATE TABLE clusters (name TEXT PRIMARY KEY, user TEXT NOT NULL, status INTEGER NOT NULL,
      target INTEGER NOT NULL, data TEXT NOT NULL, token_enc TEXT NOT NULL, tls_key_enc TEXT NOT NULL)`);
    old
      .prepare(`INSERT INTO clusters VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(
        c.name,
        c.user,
        c.status,
        c.target,
        JSON.stringify(rest),
        box.seal(token),
        box.seal(tlsKey),
      );
    old.close();

    let store = new ClusterStore(path, box);
    assert.equal(statSync(path).mode & 0o777, 0o600, "an existing database becomes 0600");
    const [loaded] = store.loadClusters();
    assert.equal(loaded!.config.environment.API_KEY, "legacy-plaintext-value");
    store.saveCluster({ ...loaded!, version: loaded!.version + 1 });
    store.close();
    const db = new Database(path);
    db.exec("VACUUM"); // drop the old row's free pages, so only live rows are scanned
    db.close();
    assert.ok(!readFileSync(path).includes("legacy-plaintext-value"), "sealed on the save");
    store = new ClusterStore(path, box);
    const [again] = store.loadClusters();
    assert.equal(again!.config.environment.API_KEY, "legacy-plaintext-value");
    assert.deepEqual(again!.options, c.options);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
