// Secrets at rest: what a user sends in `cluster_options` (an `environment` with a cloud key) is
// sealed like the cluster token and TLS key; the raw database file and its WAL hold none of it
// in plaintext, every file of the store is 0600, and a restarted gateway still reads it back.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  api,
  cleanup,
  createRunning,
  freePort,
  startTestGateway,
  tempDir,
  testConfig,
} from "./server/helpers/harness.ts";

/** Every file of the SQLite store: the database, its WAL and shared-memory index. */
function storeFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith("gateway.db"))
    .map((f) => join(dir, f));
}

test("secrets at rest - environment values, options and the TLS key are never plaintext in the database or its WAL", async () => {
  const dir = tempDir();
  const port = await freePort();
  const cfg = testConfig(dir, { address: `127.0.0.1:${port}` });
  let gw = await startTestGateway(cfg, dir);
  const secret = `AKIA-${randomBytes(12).toString("hex")}`;
  const marker = `secret-image-${randomBytes(6).toString("hex")}`;
  try {
    const name = await createRunning(gw.address, "alice", {
      cluster_options: { environment: { AWS_SECRET_ACCESS_KEY: secret }, image: marker },
    });
    const model = (await api(gw.address, "GET", `/api/v1/clusters/${name}`)).body;
    const keyLine = String(model.tls_key).split("\n")[1]!;
    assert.ok(keyLine.length > 20, "the cluster's TLS key is served while RUNNING");

    const files = storeFiles(dir);
    assert.ok(
      files.some((f) => f.endsWith("-wal")),
      `the WAL exists (${files.join(", ")})`,
    );
    const raw = Buffer.concat(files.map((f) => readFileSync(f)));
    assert.ok(raw.includes(name), "the scan reads the rows (the cluster's name is there)");
    for (const [what, text] of [
      ["the environment value", secret],
      ["the variable's name", "AWS_SECRET_ACCESS_KEY"],
      ["another option's value", marker],
      ["the TLS key", keyLine],
    ] as const)
      assert.ok(!raw.includes(text), `${what} is not stored in plaintext`);
    for (const f of files) assert.equal(statSync(f).mode & 0o777, 0o600, `${f} is 0600`);

    // The sealed options come back after a restart (the same key decrypts them).
    await gw.kill();
    gw = await startTestGateway(cfg, dir);
    const after = (await api(gw.address, "GET", `/api/v1/clusters/${name}`)).body;
    assert.equal(after.options.environment.AWS_SECRET_ACCESS_KEY, secret);
    assert.equal(after.options.image, marker);
    assert.ok(existsSync(join(dir, "gateway.db")));
    assert.equal((await gw.stop()) ?? 0, 0);
  } finally {
    cleanup(dir, cfg.dataDir);
  }
});
