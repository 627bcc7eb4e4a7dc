import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { z } from "zod";
import example from "../../../docs/gateway-config.example.ts";
import { gatewayConfigSchema } from "../../../src/gateway/server/gateway-config-schema.ts";
import { resolveGatewayConfig } from "../../../src/gateway/server/index.ts";
import { parseDuration, parseSize } from "../../../src/gateway/server/schema/units.ts";
import { cleanup, startTestGateway, tempDir, testConfig } from "./helpers/harness.ts";

const root = new URL("../../../", import.meta.url).pathname;

/** Key paths of every object in the schema (not inside unions, records or arrays). */
function schemaPaths(schema: z.ZodType, prefix = ""): string[] {
  let s = schema as z.ZodType & { def: { type: string; innerType?: z.ZodType } };
  while (s.def.type === "optional" || s.def.type === "nullable") s = s.def.innerType as typeof s;
  if (s.def.type !== "object") return [];
  const shape = (s as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
  return Object.entries(shape).flatMap(([k, v]) => [
    `${prefix}${k}`,
    ...schemaPaths(v, `${prefix}${k}.`),
  ]);
}

function has(o: unknown, path: string): boolean {
  let cur = o as Record<string, unknown> | undefined;
  for (const p of path.split(".")) {
    if (typeof cur !== "object" || cur === null || !(p in cur)) return false;
    cur = cur[p] as Record<string, unknown>;
  }
  return true;
}

test("gateway config - docs/gateway-config.example.ts loads, resolves and shows every key", () => {
  const r = resolveGatewayConfig(example);
  assert.equal(r.address, "127.0.0.1:8000");
  assert.equal(r.idleTimeoutMs, 30 * 60_000);
  assert.equal(r.bodyLimit, 2 ** 20);
  assert.equal(r.limits.maxMemory, 80);
  assert.equal(r.authLimits.failureWindowMs, 60_000);
  // tls is shown commented out (it needs real files); every other key is in the example.
  const missing = schemaPaths(gatewayConfigSchema).filter(
    (p) => !p.startsWith("tls") && !has(example, p),
  );
  assert.deepEqual(missing, []);
});

test("gateway config - defaults: 0.0.0.0:8000 as Dask Gateway, timeouts in seconds", () => {
  const r = resolveGatewayConfig({});
  assert.equal(r.address, "0.0.0.0:8000");
  assert.equal(r.headersTimeoutMs, 10_000);
  assert.equal(r.bodyTimeoutMs, 30_000);
  assert.equal(r.shutdownGraceMs, 20_000);
  assert.equal(r.logFormat, "auto");
});

test("gateway config - durations and sizes", () => {
  assert.equal(parseDuration("30m"), 1_800_000);
  assert.equal(parseDuration("10s"), 10_000);
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("250 ms"), 250);
  assert.equal(parseDuration("10"), undefined);
  assert.equal(parseDuration("ten minutes"), undefined);
  assert.equal(parseSize("4 GiB"), 4 * 2 ** 30);
  assert.equal(parseSize("512MiB"), 512 * 2 ** 20);
  assert.equal(parseSize("1.5 GB"), 1.5e9);
  assert.equal(parseSize("4 GiBs"), undefined);
  const r = resolveGatewayConfig({
    idleTimeoutMs: "10m",
    heartbeatPeriodMs: 300,
    bodyLimit: "4 KiB",
  });
  assert.equal(r.idleTimeoutMs, 600_000);
  assert.equal(r.heartbeatPeriodMs, 300);
  assert.equal(r.bodyLimit, 4096);
});

test("gateway config - a broken config is one line naming the key (and the nearest known one)", () => {
  const cases: [unknown, RegExp][] = [
    [
      { adress: "127.0.0.1:8000" },
      /^gateway config: unknown key "adress", did you mean "address"\?$/,
    ],
    [
      { adress: "x:1", idleTimeout: "10m", limits: { maxWorkers: "lots" } },
      /unknown key "adress", did you mean "address"\?; unknown key "idleTimeout", did you mean "idleTimeoutMs"\? \(and 1 more problem\)/,
    ],
    [
      { limits: { maxWorkers: "lots" } },
      /^gateway config: limits\.maxWorkers must be an integer from 0 up, got "lots"$/,
    ],
    [{ limits: { maxWorker: 2 } }, /unknown key "limits\.maxWorker", did you mean "maxWorkers"\?/],
    [{ heartbeatPeriodMs: -5 }, /^gateway config: heartbeatPeriodMs must be a duration .* got -5$/],
    [{ idleTimeoutMs: "soon" }, /^gateway config: idleTimeoutMs must be a duration .* got "soon"$/],
    [{ auth: { type: "basic" } }, /^gateway config: auth\.users is required with type "basic"/],
    [
      { auth: { type: "ldap" } },
      /^gateway config: auth\.type must be one of "simple", "basic", "token"/,
    ],
    [
      { backend: "k8s" },
      /^gateway config: backend must be one of "local", "unsafe-local", "slurm", "container", "kubernetes", got "k8s"$/,
    ],
    [{ address: "8000" }, /^gateway config: address must be host:port/],
    [{ bodyLimit: "lots" }, /^gateway config: bodyLimit must be a size such as "4 GiB"/],
    [
      { heartbeatPeriodMs: "10s", heartbeatTimeoutMs: "5s" },
      /heartbeatTimeoutMs \(5000 ms\) must be longer than heartbeatPeriodMs/,
    ],
    [[1, 2], /^gateway config: must be an object, got \[1,2\]$/],
  ];
  for (const [config, want] of cases) {
    assert.throws(
      () => resolveGatewayConfig(config as never),
      (e: Error) => {
        assert.equal(e.name, "GatewayConfigError", String(e));
        assert.match(e.message, want);
        assert.ok(!e.message.includes("\n"), e.message);
        return true;
      },
      JSON.stringify(config),
    );
  }
});

test("gateway config - `flowgate gateway` with a broken config exits 2 with one line, no stack", () => {
  const dir = mkdtempSync(join(tmpdir(), "fg-gw-config-"));
  try {
    const file = join(dir, "gateway.json");
    writeFileSync(file, JSON.stringify({ adress: "127.0.0.1:0", auth: { type: "basic" } }));
    const r = spawnSync(
      process.execPath,
      [join(root, "bin/flowgate.js"), "gateway", "--config", file],
      {
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0]!,
      /gateway\.json: gateway config: unknown key "adress", did you mean "address"\?/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("gateway config - logs are JSON lines by default off a terminal, human-readable with logFormat pretty", async () => {
  const dir = tempDir();
  try {
    for (const [logFormat, json] of [
      ["auto", true],
      ["pretty", false],
    ] as const) {
      const gw = await startTestGateway(testConfig(dir, { logFormat }), dir);
      assert.equal(await gw.stop(), 0, `${logFormat}: ${gw.stderr()}`);
      const line = gw
        .stderr()
        .split("\n")
        .find((l) => l.includes("Gateway listening at"));
      assert.ok(line, gw.stderr());
      if (json) assert.equal(JSON.parse(line).msg.startsWith("Gateway listening at"), true);
      else {
        assert.throws(() => JSON.parse(line));
        assert.match(line, /INFO.*Gateway listening at http:\/\/127\.0\.0\.1:\d+/);
      }
    }
  } finally {
    cleanup(dir);
  }
});
