// The default gateway (no db, no dataDir, no key in its config: the SQLite store in its state
// folder) survives SIGKILL: restarted, it adopts its clusters; never restarted, its clusters'
// schedulers notice and stop themselves and their workers within the orphan timeout. Real
// `flowgate scheduler` / `flowgate worker` processes, found by their process titles.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { eventually, processesOfCluster } from "../support/processes.ts";
import { freePort } from "./server/helpers/harness.ts";

const bin = new URL("../../bin/flowgate.js", import.meta.url).pathname;
const alice = `Basic ${Buffer.from("alice:").toString("base64")}`;
const ORPHAN_MS = 30_000; // longer than a gateway restart on a busy machine

interface Gw {
  address: string;
  child: ChildProcess;
  output: () => string;
}

const started = new Set<ChildProcess>();
const dirs: string[] = [];
after(() => {
  for (const c of started) c.kill("SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `flowgate gateway` with only timeouts configured: store, key and folders are the defaults. */
async function startGateway(stateDir: string, port: number, extra: object = {}): Promise<Gw> {
  const config = join(stateDir, "..", `config-${port}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      heartbeatPeriodMs: 300,
      checkPeriodMs: 100,
      orphanTimeoutMs: ORPHAN_MS,
      ...extra,
    }),
  );
  const args = ["gateway", "--config", config, "--backend", "unsafe-local"];
  args.push("--address", `127.0.0.1:${port}`, "--state-dir", stateDir);
  const child = spawn(process.execPath, [bin, ...args], {
    env: withoutVars(["FLOWGATE_GATEWAY_ENCRYPT_KEY", "FLOWGATE_STATE_DIR"]),
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.add(child);
  child.once("exit", () => started.delete(child));
  let output = "";
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const address = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`gateway did not start:\n${output}`)), 30_000);
    child.once("exit", (code) => reject(new Error(`gateway exited ${code}:\n${output}`)));
    child.stdout!.on("data", (d: Buffer) => {
      output += d.toString();
      const m = /flowgate gateway ready (\{.*\})/.exec(output);
      if (m) {
        clearTimeout(t);
        resolve((JSON.parse(m[1]!) as { address: string }).address);
      }
    });
  });
  return { address, child, output: () => output };
}

function withoutVars(names: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const n of names) delete env[n];
  return env;
}

async function kill(gw: Gw): Promise<void> {
  gw.child.kill("SIGKILL");
  if (gw.child.exitCode === null && gw.child.signalCode === null) await once(gw.child, "exit");
}

async function call(gw: Gw, method: string, path: string, body?: unknown) {
  const res = await fetch(`${gw.address}${path}`, {
    method,
    headers: { authorization: alice, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A RUNNING cluster with one connected worker process. */
async function clusterWithWorker(gw: Gw): Promise<string> {
  const created = await call(gw, "POST", "/api/v1/clusters/", {});
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const name = String(created.body.name);
  await eventually(
    `cluster ${name} RUNNING`,
    async () => (await call(gw, "GET", `/api/v1/clusters/${name}`)).body.status === "RUNNING",
    30_000,
  );
  assert.equal(
    (await call(gw, "POST", `/api/v1/clusters/${name}/scale`, { count: 1 })).status,
    200,
  );
  await eventually(
    `a worker process of ${name}`,
    () => processesOfCluster(name).some((p) => p.role === "worker"),
    30_000,
  );
  return name;
}

/** Each process's title names its role and cluster, as `pgrep -af flowgate` shows it. */
function assertTitles(name: string): void {
  const ps = processesOfCluster(name);
  assert.deepEqual(ps.map((p) => p.role).sort(), ["scheduler", "worker"]);
  for (const p of ps) {
    const cmdline = readFileSync(`/proc/${p.pid}/cmdline`, "utf8");
    assert.ok(cmdline.startsWith(`flowgate-${p.role} ${name}`), `title of ${p.pid}: ${cmdline}`);
  }
}

test("gateway crash - the default store keeps clusters across SIGKILL; without a gateway they stop themselves", async () => {
  const root = mkdtempSync(join(tmpdir(), "fg-crash-"));
  dirs.push(root);
  const stateDir = join(root, "state");
  const port = await freePort();
  let gw = await startGateway(stateDir, port);
  const names = [await clusterWithWorker(gw), await clusterWithWorker(gw)];
  for (const n of names) assertTitles(n);
  for (const f of ["gateway.db", "encrypt-key"])
    assert.equal(statSync(join(stateDir, f)).mode & 0o777, 0o600, `${f} is 0600`);
  const pids = names.flatMap((n) => processesOfCluster(n).map((p) => p.pid)).sort();

  await kill(gw);
  gw = await startGateway(stateDir, port);
  for (const n of names) {
    const r = await call(gw, "GET", `/api/v1/clusters/${n}`);
    assert.equal(r.status, 200, `cluster ${n} is known after the restart`);
    assert.equal(
      r.body.status,
      "RUNNING",
      `cluster ${n} was adopted: ${JSON.stringify(r.body.stop_reason)} ${gw.output()}`,
    );
  }
  // Heartbeats reach the restarted gateway: the same processes keep running.
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(names.flatMap((n) => processesOfCluster(n).map((p) => p.pid)).sort(), pids);

  await kill(gw); // and never restarted
  const t0 = Date.now();
  await eventually(
    "every process of both clusters to be gone",
    () => names.every((n) => processesOfCluster(n).length === 0),
    ORPHAN_MS + 15_000,
  );
  assert.ok(Date.now() - t0 >= ORPHAN_MS - 2000, "they waited for the orphan timeout first");
});

test("gateway crash - schedulers whose gateway answers 404 for their cluster stop at once", async () => {
  const root = mkdtempSync(join(tmpdir(), "fg-crash-"));
  dirs.push(root);
  const port = await freePort();
  // An in-memory store, asked for explicitly: the restarted gateway knows no cluster.
  const memory = { db: ":memory:", orphanTimeoutMs: 600_000 };
  let gw = await startGateway(join(root, "state"), port, memory);
  const name = await clusterWithWorker(gw);
  await kill(gw);
  gw = await startGateway(join(root, "state"), port, memory);
  try {
    assert.equal((await call(gw, "GET", `/api/v1/clusters/${name}`)).status, 404);
    await eventually(
      `the processes of ${name} to stop on the 404`,
      () => processesOfCluster(name).length === 0,
      20_000,
    );
  } finally {
    gw.child.kill("SIGTERM");
    await once(gw.child, "exit");
  }
});
