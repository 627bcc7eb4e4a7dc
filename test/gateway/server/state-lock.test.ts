import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startGateway } from "../../../src/gateway/server/index.ts";

const config = (dataDir: string) => ({
  address: "127.0.0.1:0",
  backend: "unsafe-local" as const,
  db: join(dataDir, "gateway.db"),
  dataDir,
  encryptKey: "test-key",
  logLevel: "error" as const,
});

test("state lock - a second gateway on the same database is refused; the database is free after close", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fg-state-lock-"));
  try {
    const first = await startGateway(config(dir));
    try {
      await assert.rejects(startGateway(config(dir)), (e: Error & { code?: string }) => {
        assert.equal(e.code, "FG_GATEWAY_STATE_IN_USE");
        assert.match(e.message, new RegExp(`pid ${process.pid}`));
        return true;
      });
    } finally {
      await first.close();
    }
    assert.equal(existsSync(join(dir, "gateway.db.pid")), false, "close releases the database");
    const again = await startGateway(config(dir));
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("state lock - another live process's lock refuses; a crashed gateway's lock is taken over", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fg-state-lock-"));
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "gateway.db.pid"), `${process.ppid}\n`);
    await assert.rejects(startGateway(config(dir)), { code: "FG_GATEWAY_STATE_IN_USE" });
    const gone = spawnSync(process.execPath, ["-e", ""]).pid; // exited: its pid is free
    writeFileSync(join(dir, "gateway.db.pid"), `${gone}\n`);
    const gateway = await startGateway(config(dir));
    await gateway.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
