import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { WarmPool } from "../../../src/gateway/server/backends/warm-pool.ts";

test("warm pool - closing one gateway's pool leaves another's spares on the same state folder usable", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fg-warm-pool-"));
  const script = join(dir, "job.mjs");
  writeFileSync(script, `console.log("ran in a spare");\n`);
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
  const a = new WarmPool(dir, 1, env);
  const b = new WarmPool(dir, 1, env);
  // Spares are unref'd (a gateway's server keeps its loop alive); this test's interval does.
  const alive = setInterval(() => {}, 1000);
  try {
    a.prewarm([process.execPath, script]);
    b.prewarm([process.execPath, script]);
    a.close();
    const log = join(dir, "job.log");
    let exited!: (code: number | string) => void;
    const exit = new Promise<number | string>((r) => (exited = r));
    const pid = b.take([process.execPath, script], env, dir, log, (code) => exited(code));
    assert.equal(typeof pid, "number", "b's spare is taken");
    assert.equal(await exit, 0);
    assert.match(readFileSync(log, "utf8"), /ran in a spare/);
  } finally {
    clearInterval(alive);
    a.close();
    b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
