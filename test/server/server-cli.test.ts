import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const bin = new URL("../../bin/flowgate.js", import.meta.url).pathname;

test("flowgate server - serves the API on --address with a 0600 SQLite file, stops on SIGTERM", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fg-server-cli-"));
  const db = join(dir, "state.db");
  const child = spawn(
    process.execPath,
    [bin, "server", "--address", "127.0.0.1:0", "--db", `sqlite:${db}`],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      child.once("exit", (c) => reject(new Error(`server exited ${c}: ${err}`)));
      createInterface({ input: child.stdout! }).on(
        "line",
        (l) => l.startsWith("flowgate server ready") && resolve(l),
      );
    });
    const { address } = JSON.parse(line.slice("flowgate server ready ".length)) as {
      address: string;
    };
    const health = await fetch(`${address}/api/health`);
    assert.deepEqual(await health.json(), { status: "pass" });
    const runs = await fetch(`${address}/api/runs`, {
      headers: { authorization: `Basic ${Buffer.from("ada:").toString("base64")}` },
    });
    assert.deepEqual(await runs.json(), { items: [], next: null });
    assert.equal(statSync(db).mode & 0o777, 0o600);
  } finally {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(child.exitCode, 0, err);
});

test("flowgate server - a bad --db is a clear error", async () => {
  const child = spawn(
    process.execPath,
    [bin, "server", "--address", "127.0.0.1:0", "--db", "mysql://x"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const [code] = (await once(child, "exit")) as [number];
  assert.notEqual(code, 0);
  assert.match(err, /--db "mysql:\/\/x" is not a database URL; use sqlite:PATH/);
});
