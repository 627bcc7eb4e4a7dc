// Orchestration server benchmark, prints one JSON document. Per database (SQLite file; PostgreSQL
// when .ci/setup-postgres.sh ran or FLOWGATE_TEST_POSTGRES_URL is set):
//  - runs created/s: 5,000 POST /api/runs, 32 in flight
//  - task-state updates/s: 100,000 updates of one run's mapped task, batches of 1,000, 4 in flight
//  - registration: 100 flows (distinct bundles: HEAD + PUT bundle + POST /api/flows), one at a time
//  - created → claimed and scheduled start → claimed (p50/p90 of 40): an agent long-polls
//  - summary of a 100,000-task run (GET …/tasks/summary) and its timeline (?samples=600), ms
// The server runs in its own process (`flowgate server`'s FlowgateServer), the load comes from
// this one over loopback with keep-alive connections (node:http for the two throughput figures,
// the typed ServerClient for the rest). The machine is shared; expect noise (its load is printed).
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import { createInterface } from "node:readline";
import { readFileSync } from "node:fs";
import { BasicAuth } from "../src/gateway/client/auth.ts";
import { ServerClient } from "../src/server/index.ts";
import { postgresUrl } from "../test/server/support/postgres.ts";
import { registerTestFlow, testDatabase } from "../test/server/support/test-server.ts";

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const r1 = (x: number) => Math.round(x * 10) / 10;

async function pool<T>(n: number, inFlight: number, job: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) await job(next++);
    }),
  );
}

/** Starts a server process on `dbUrl`; resolves its URL and a stop function. */
async function serverProcess(
  dbUrl: string,
): Promise<{ url: string; cpuMs: () => number; stop: () => Promise<void> }> {
  const code = `const { FlowgateServer } = await import(${JSON.stringify(new URL("../src/server/index.ts", import.meta.url).href)});
    const s = await FlowgateServer.start({ address: "127.0.0.1:0", db: ${JSON.stringify(dbUrl)}, log: () => {} });
    console.log(s.url); process.on("SIGTERM", () => s.close().then(() => process.exit(0)));`;
  const child = spawn(
    process.execPath,
    [
      "--import",
      new URL("../bin/register.js", import.meta.url).href,
      "--input-type=module",
      "-e",
      code,
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (c) => reject(new Error(`server exited ${c}`)));
    createInterface({ input: child.stdout! }).once("line", resolve);
  });
  return {
    url,
    // user + system CPU of the server process so far (Linux /proc, clock ticks of 10 ms)
    cpuMs: () => {
      const f = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return (Number(f[11]) + Number(f[12])) * 10;
    },
    stop: async () => {
      child.kill("SIGTERM");
      if (child.exitCode === null) await new Promise((r) => child.once("exit", r));
    },
  };
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });
const authz = new BasicAuth("bench").authorization();
/** POST JSON with a keep-alive connection; rejects on a non-2xx answer. */
function post(url: string, body: unknown): Promise<void> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent: keepAlive,
        headers: {
          authorization: authz,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(data),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode! < 300 ? resolve() : reject(new Error(`${url} -> ${res.statusCode}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

async function measure(kind: "sqlite" | "postgres") {
  const db = await testDatabase(kind);
  const server = await serverProcess(db.url);
  const c = new ServerClient({ address: server.url, auth: new BasicAuth("bench") });
  try {
    const flow = await registerTestFlow(c, "bench");
    // warm-up
    const runsUrl = `${server.url}/api/runs`;
    await pool(500, 32, () => post(runsUrl, { flow, startAt: Date.now() + 86400_000 }));

    let t = performance.now();
    const nRuns = 5000;
    let cpu0 = server.cpuMs();
    await pool(nRuns, 32, () => post(runsUrl, { flow, startAt: Date.now() + 86400_000 }));
    const runsPerS = nRuns / ((performance.now() - t) / 1000);
    const serverCpuUsPerRun = ((server.cpuMs() - cpu0) * 1000) / nRuns;

    const target = await c.createRun({ flow, startAt: Date.now() + 86400_000 });
    const nUpdates = 100_000;
    const batch = 1000;
    t = performance.now();
    cpu0 = server.cpuMs();
    await pool(nUpdates / batch, 4, (b) =>
      post(`${server.url}/api/runs/${target.id}/task-states`, {
        updates: Array.from({ length: batch }, (_, i) => ({
          task: "map",
          mapIndex: b * batch + i,
          state: b % 2 ? "Success" : "Running",
        })),
      }),
    );
    const updatesPerS = nUpdates / ((performance.now() - t) / 1000);
    const serverCpuUsPerUpdate = ((server.cpuMs() - cpu0) * 1000) / nUpdates;
    t = performance.now();
    const summary = await c.taskSummary(target.id);
    const summaryMs = performance.now() - t;
    t = performance.now();
    await c.timeline(target.id, 600);
    const timelineMs = performance.now() - t;

    t = performance.now();
    for (let i = 0; i < 100; i++) {
      const bytes = Buffer.from(`export default ${i}; // ${randomBytes(8).toString("hex")}`);
      const hash = createHash("sha256").update(bytes).digest("hex");
      if (!(await c.hasBundle(hash))) await c.putBundle(hash, bytes);
      await c.registerFlow({
        name: `reg-${i}`,
        storage: { type: "bundle", hash, flowName: `reg-${i}` },
        graph: { tasks: [{ name: "t", task: "t", mapped: false, upstream: [] }], parameters: [] },
      });
    }
    const register100Ms = performance.now() - t;

    // the backlog of far-future runs stays; the agent claims only what is due
    const { agent } = await c.registerAgent({ name: "bench-agent", labels: [] });
    const immediate: number[] = [];
    const scheduled: number[] = [];
    for (let i = 0; i < 40; i++) {
      const poll = c.claim(agent.id, { waitMs: 30_000 });
      await new Promise((r) => setTimeout(r, 20));
      const created = Date.now();
      await c.createRun({ flow });
      await poll;
      immediate.push(Date.now() - created);
    }
    for (let i = 0; i < 40; i++) {
      const run = await c.createRun({ flow, startAt: Date.now() + 150 });
      const got = await c.claim(agent.id, { waitMs: 30_000 });
      if (got.runs[0]?.run.id !== run.id) throw new Error("claimed an unexpected run");
      scheduled.push(Date.now() - run.scheduledAt);
    }
    return {
      database: kind,
      runsCreatedPerS: Math.round(runsPerS),
      // the server's own CPU per request: 1e6 / this = what one idle core would sustain
      serverCpuUsPerRunCreated: Math.round(serverCpuUsPerRun),
      taskStateUpdatesPerS: Math.round(updatesPerS),
      serverCpuUsPerTaskStateUpdate: r1(serverCpuUsPerUpdate),
      summaryOf100kTasksMs: r1(summaryMs),
      summaryTotal: summary.total,
      // half of the 100,000 are Running (have a start time): the sample is over 50,000 rows
      timelineOf100kTasksMs: r1(timelineMs),
      register100FlowsMs: Math.round(register100Ms),
      createdToClaimedMs: { p50: pct(immediate, 50), p90: pct(immediate, 90) },
      scheduledStartToClaimedMs: { p50: pct(scheduled, 50), p90: pct(scheduled, 90) },
    };
  } finally {
    await server.stop();
    await db.drop();
  }
}

// FLOWGATE_BENCH_DATABASES=postgres (or sqlite) measures only that one; both by default.
const only = process.env["FLOWGATE_BENCH_DATABASES"]?.split(",");
const results: unknown[] = [];
if (!only || only.includes("sqlite")) results.push(await measure("sqlite"));
if (only && !only.includes("postgres")) {
  // not asked for
} else if (postgresUrl()) results.push(await measure("postgres"));
else
  results.push({ database: "postgres", skipped: "no PostgreSQL: run bash .ci/setup-postgres.sh" });
keepAlive.destroy();
console.log(
  JSON.stringify({
    bench: "orchestration",
    machine: {
      cpus: (await import("node:os")).cpus().length,
      load: (await import("node:os")).loadavg()[0],
    },
    targets: {
      runsCreatedPerS: 1000,
      taskStateUpdatesPerS: 10000,
      scheduledStartToClaimedMsP50: 50,
    },
    results,
  }),
);
