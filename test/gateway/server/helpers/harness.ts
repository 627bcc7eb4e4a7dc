import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GatewayConfig } from "../../../../src/gateway/server/index.ts";

const here = new URL(".", import.meta.url).pathname;
export const fixture = join(here, "..", "..", "fixtures", "fake-scheduler.ts");
const cli = join(here, "gateway-cli.ts");
/** Absolute, because cluster processes run with their cluster directory as cwd. */
export const tsxImport = import.meta.resolve("tsx");

/** A gateway child process started for one test. */
export interface TestGateway {
  address: string;
  dataDir: string;
  proc: ChildProcess;
  stderr: () => string;
  /** SIGTERM and wait for exit (the gateway stops its clusters first). */
  stop(): Promise<number | null>;
  /** SIGKILL: simulates a crash; clusters keep running. */
  kill(): Promise<void>;
}

export const fakeCommands = (): NonNullable<GatewayConfig["local"]> => ({
  schedulerCommand: [process.execPath, "--import", tsxImport, fixture, "scheduler"],
  workerCommand: [process.execPath, "--import", tsxImport, fixture, "worker"],
  stopGraceMs: 2000,
});

/** Fast lifecycle settings for tests; override per test. */
export function testConfig(dir: string, extra: GatewayConfig = {}): GatewayConfig {
  return {
    address: "127.0.0.1:0",
    // The tests' users (alice, bob, …) have no Unix accounts; per-user runs have their own test.
    backend: "unsafe-local",
    db: join(dir, "gateway.db"),
    dataDir: join(dir, "data"),
    encryptKey: "test-key",
    local: fakeCommands(),
    heartbeatPeriodMs: 300,
    checkPeriodMs: 100,
    clusterStartTimeoutMs: 15_000,
    workerStartTimeoutMs: 15_000,
    logLevel: "info",
    ...extra,
  };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "fg-gw-test-"));
}

/** A free TCP port (for restart tests that must come back on the same address). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Starts `flowgate gateway --config <json>` and waits for its ready line. */
export async function startTestGateway(
  config: GatewayConfig,
  dir = tempDir(),
  extraArgs: string[] = [],
  configFile?: string,
): Promise<TestGateway> {
  const cfgFile = configFile ?? join(dir, `config-${Date.now()}.json`);
  if (!configFile) writeFileSync(cfgFile, JSON.stringify(config));
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", cli, "gateway", "--config", cfgFile, ...extraArgs],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  running.add(proc);
  proc.once("exit", () => running.delete(proc));
  let err = "";
  proc.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
  const address = await new Promise<string>((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (d) => {
      out += d;
      const m = /flowgate gateway ready (\{.*\})/.exec(out);
      if (m) resolve((JSON.parse(m[1]!) as { address: string }).address);
    });
    proc.once("exit", (code) => reject(new Error(`gateway exited ${code}: ${err}`)));
    // Generous: on a loaded 2-core machine importing the backends alone can take 10 s.
    setTimeout(() => reject(new Error(`gateway not ready in 60 s: ${err}`)), 60_000).unref();
  });
  return {
    address,
    dataDir: config.dataDir!,
    proc,
    stderr: () => err,
    stop: async () => {
      proc.kill("SIGTERM");
      return exited;
    },
    kill: async () => {
      proc.kill("SIGKILL");
      await exited;
    },
  };
}

/**
 * Pids of the schedulers and workers of a gateway's clusters: processes whose working directory
 * (a cluster directory) or command line is inside `dataDir`. Idle warm spares are not counted.
 */
export function clusterProcesses(dataDir: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      if (/\) [ZX] /.test(stat)) continue;
      let cwd = "";
      try {
        cwd = readlinkSync(`/proc/${p}/cwd`);
      } catch {
        /* not ours to read */
      }
      if (cwd.startsWith(dataDir) || readFileSync(`/proc/${p}/cmdline`, "utf8").includes(dataDir))
        out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}

const running = new Set<ChildProcess>();

/** Kills whatever a failed test left behind (gateways, then cluster processes), and removes the directory. */
export function cleanup(dir: string, dataDir?: string): void {
  for (const p of running) p.kill("SIGKILL");
  if (dataDir)
    for (const pid of clusterProcesses(dataDir)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A describe block's teardown: stops the gateway (it must exit 0), asserts that none of its
 * clusters' processes remain, and removes the test's directory.
 */
export async function stopAndClean(gw: TestGateway, dir: string): Promise<void> {
  assert.equal(await gw.stop(), 0);
  assert.deepEqual(clusterProcesses(gw.dataDir), []);
  cleanup(dir, gw.dataDir);
}

export interface ApiResponse {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
  headers: Headers;
}

/** One API call as `user` (HTTP Basic) unless `auth` is given ("none" sends no credentials). */
export async function api(
  address: string,
  method: string,
  path: string,
  o: {
    user?: string;
    password?: string;
    auth?: string | "none";
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.auth !== "none") {
    headers.authorization =
      o.auth ??
      `Basic ${Buffer.from(`${o.user ?? "alice"}:${o.password ?? ""}`).toString("base64")}`;
  }
  let body: string | undefined = o.rawBody;
  if (o.body !== undefined) body = JSON.stringify(o.body);
  if (body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
  const res = await fetch(address + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/** Polls until `fn` returns a truthy value. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Creates a cluster as `user` and waits until it is RUNNING; returns its name. */
export async function createRunning(
  address: string,
  user = "alice",
  body: unknown = { cluster_options: {} },
  password = "",
): Promise<string> {
  const r = await api(address, "POST", "/api/v1/clusters/", { user, body, password });
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.text}`);
  const name = r.body.name as string;
  await waitFor(async () => {
    const g = await api(address, "GET", `/api/v1/clusters/${name}?wait&extended=true`, {
      user,
      password,
    });
    if (g.body.status === "FAILED" || g.body.status === "STOPPED")
      throw new Error(`cluster ${g.body.status}: ${g.body.stop_reason}`);
    return g.body.status === "RUNNING";
  }, "RUNNING");
  return name;
}
