// Gateway benchmark (local backend), prints one JSON line:
//  - create -> RUNNING with 1 worker connected, p50/p90 of 20 (POST, GET ?wait, scale 1, worker seen)
//  - DELETE -> STOPPED, p50/p90 of 20; processes left after the 20 cycles
//  - GET /api/v1/clusters/ requests/s with 1,000 cluster records in the store
// Uses the real `flowgate scheduler`/`worker` when they run, else the fake fixture; `--cli` also
// measures the default command (the CLI under tsx) besides the precompiled lean entry.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { ClusterStore } from "../src/gateway/server/cluster-store.ts";
import { JobStatus, type ClusterRecord } from "../src/gateway/server/cluster-record.ts";
import { SecretBox } from "../src/gateway/server/secret-box.ts";
import type { GatewayConfig } from "../src/gateway/server/index.ts";
import {
  api,
  cleanup,
  clusterProcesses,
  fakeCommands,
  startTestGateway,
  tempDir,
  testConfig,
  tsxImport,
  waitFor,
} from "../test/gateway/server/helpers/harness.ts";

const root = new URL("../", import.meta.url).pathname;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const ms = (x: number) => Math.round(x * 10) / 10;

async function commands(): Promise<{ kind: string; local: NonNullable<GatewayConfig["local"]> }[]> {
  const real = spawnSync(process.execPath, [join(root, "bin/flowgate.js"), "scheduler", "--help"], {
    encoding: "utf8",
    timeout: 30_000,
  });
  if (real.status !== 0)
    return [{ kind: "fake-fixture (real scheduler unavailable)", local: fakeCommands() }];
  const out: { kind: string; local: NonNullable<GatewayConfig["local"]> }[] = [];
  try {
    const { processEntry, threadRuntime, bundleDir } = await import("../src/shipping/index.ts");
    const entry = await processEntry();
    const runtime = await threadRuntime();
    out.push({
      kind: "real scheduler+worker, precompiled entry",
      local: {
        schedulerCommand: [process.execPath, entry, "scheduler"],
        workerCommand: [
          process.execPath,
          entry,
          "worker",
          "--task-host",
          runtime.taskHost,
          "--thread-module",
          runtime.threadModule,
          ...runtime.hooks.flatMap((h: string) => ["--thread-hook", h]),
          "--bundle-dir",
          bundleDir(),
        ],
        stopGraceMs: 2000,
      },
    });
  } catch (e) {
    process.stderr.write(`lean entry unavailable: ${(e as Error).message}\n`);
  }
  if (process.argv.includes("--cli") || out.length === 0)
    out.push({
      kind: "real scheduler+worker, default command (CLI under tsx)",
      local: { stopGraceMs: 2000 },
    });
  return out;
}

async function lifecycle(kind: string, local: NonNullable<GatewayConfig["local"]>, n: number) {
  const dir = tempDir();
  const gw = await startTestGateway(
    testConfig(dir, { local, logLevel: "warn", heartbeatPeriodMs: 1000, checkPeriodMs: 200 }),
    dir,
  );
  const start: number[] = [];
  const stop: number[] = [];
  try {
    const a = gw.address;
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const name = (await api(a, "POST", "/api/v1/clusters/", { body: { cluster_options: {} } }))
        .body.name as string;
      let m = (await api(a, "GET", `/api/v1/clusters/${name}?wait&extended=true`)).body;
      if (m.status !== "RUNNING") throw new Error(`cluster ${m.status}: ${m.stop_reason}`);
      await api(a, "POST", `/api/v1/clusters/${name}/scale`, { body: { count: 1 } });
      await waitFor(
        async () =>
          (m = (await api(a, "GET", `/api/v1/clusters/${name}?extended=true`)).body).workers
            .running === 1 || m.status !== "RUNNING",
        "worker",
        30_000,
      );
      if (m.status !== "RUNNING") throw new Error(`cluster ${m.status}: ${m.stop_reason}`);
      start.push(performance.now() - t0);
      const t1 = performance.now();
      await api(a, "DELETE", `/api/v1/clusters/${name}`);
      await waitFor(
        async () =>
          (await api(a, "GET", `/api/v1/clusters/${name}?wait&extended=true`)).body.status ===
          "STOPPED",
        "STOPPED",
        30_000,
      );
      stop.push(performance.now() - t1);
    }
    const left = clusterProcesses(gw.dataDir).length;
    await gw.stop();
    return {
      backend: kind,
      cycles: n,
      create_to_running_1_worker_ms: { p50: ms(pct(start, 50)), p90: ms(pct(start, 90)) },
      stop_to_stopped_ms: { p50: ms(pct(stop, 50)), p90: ms(pct(stop, 90)) },
      processes_left_after_cycles: left,
    };
  } finally {
    cleanup(dir, gw.dataDir);
  }
}

function seed(db: string, key: string, count: number): void {
  const store = new ClusterStore(db, new SecretBox(key));
  const now = Date.now();
  store.transaction(() => {
    for (let i = 0; i < count; i++) {
      const c: ClusterRecord = {
        name: randomUUID().replaceAll("-", ""),
        user: "alice",
        status: JobStatus.STOPPED,
        target: JobStatus.STOPPED,
        count: 0,
        adapt: null,
        options: { worker_cores: 1, worker_memory: 2, environment: {}, image: "" },
        config: {
          worker_cores: 1,
          worker_memory: 2,
          scheduler_cores: 1,
          scheduler_memory: 1,
          environment: {},
          image: null,
        },
        state: {},
        token: "t",
        tlsCert: "cert",
        tlsKey: "key",
        schedulerAddress: null,
        dashboardAddress: null,
        apiAddress: null,
        startTime: now - 60_000,
        stopTime: now,
        stopReason: "stopped by the user",
        leaseTtl: null,
        shutdownOnClose: false,
        lastLease: now,
        lastHeartbeat: now,
        lastActivity: now,
        submittedAt: now,
        workerFailures: 0,
        version: 0,
      };
      store.saveCluster(c);
    }
  });
  store.close();
}

async function listThroughput(
  path: string,
  cookie: string,
  address: string,
  seconds: number,
  concurrency: number,
) {
  const u = new URL(address);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let done = 0;
  let bytes = 0;
  const end = performance.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const r = request(
        { host: u.hostname, port: u.port, path, agent, headers: { cookie } },
        (res) => {
          res.on("data", (d: Buffer) => (bytes += d.length));
          res.on("end", () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
          );
        },
      );
      r.on("error", reject);
      r.end();
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await one();
        done++;
      }
    }),
  );
  agent.destroy();
  const s = (performance.now() - t0) / 1000;
  return { requests_per_s: Math.round(done / s), bytes_per_response: Math.round(bytes / done) };
}

async function list() {
  const dir = tempDir();
  const cfg = testConfig(dir, { logLevel: "warn", local: fakeCommands() });
  seed(cfg.db!, cfg.encryptKey!, 1000);
  const gw = await startTestGateway(cfg, dir);
  try {
    const first = await api(gw.address, "GET", "/api/v1/clusters/?status=stopped");
    const cookie = first.headers.get("set-cookie")!.split(";")[0]!;
    if (Object.keys(first.body).length !== 1000) throw new Error("seed failed");
    const all = await listThroughput("/api/v1/clusters/?status=stopped", cookie, gw.address, 3, 8);
    const active = await listThroughput("/api/v1/clusters/", cookie, gw.address, 3, 8);
    await gw.stop();
    return { records: 1000, list_all_1000_returned: all, list_default_active_only: active };
  } finally {
    cleanup(dir, gw.dataDir);
  }
}

const results: Record<string, unknown> = { bench: "gateway", tsx: Boolean(tsxImport) };
results.lifecycle = [];
for (const c of await commands())
  (results.lifecycle as unknown[]).push(await lifecycle(c.kind, c.local, 20));
results.list = await list();
process.stdout.write(JSON.stringify(results) + "\n");
