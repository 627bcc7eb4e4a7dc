// The server UI under a run of 100,000 mapped tasks (issue 15): how long its run page takes to
// open in Chromium (cold: first visit; warm: modules cached), how long the page takes to show
// live updates of the last 10,000 tasks (UI_BENCH_LIVE) (applied from the run's event stream; how many times it
// re-read the counts meanwhile is `live_summary_reads`), and how long the browser's main thread
// was blocked meanwhile. A real `flowgate server` process; the bench plays the agent through the public REST API
// (claim, Running, task-state batches), so only the server and the page are measured.
// Prints one JSON object. Needs /usr/bin/chromium (bash .ci/setup-browser.sh).
// The server's CPU time during the live phase is `live_server_cpu_ms`; UI_BENCH_VIEWERS=N opens
// N more pages of the run meanwhile (each its own event stream).
// Run: node --import ./bin/register.js bench/ui.ts  (UI_BENCH_LIVE=N: N task runs finish live)
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BasicAuth } from "../src/gateway/client/index.ts";
import type { TaskStateUpdate } from "../src/server/api/index.ts";
import { ServerClient } from "../src/server/client/index.ts";
import { basicHeader, launchBrowser } from "../test/dashboard/fixtures/browser.ts";

const N = 100_000;
// How many task runs finish while the page is open (UI_BENCH_LIVE=100000: all of them).
const LIVE = Number(process.env.UI_BENCH_LIVE ?? 10_000);
if (!(LIVE > 0 && LIVE <= N && LIVE % 10 === 0))
  throw new Error(`UI_BENCH_LIVE=${process.env.UI_BENCH_LIVE} must be a multiple of 10 up to ${N}`);
const WORKERS = 8;
const VIEWERS = Number(process.env.UI_BENCH_VIEWERS ?? 0);
const USER = "ui-bench";

const db = `sqlite:${join(mkdtempSync(join(tmpdir(), "flowgate-ui-bench-")), "b.db")}`;
const server = await startServer(db);
const client = new ServerClient({ address: server.address, auth: new BasicAuth(USER) });
const browser = await launchBrowser();
try {
  const { flow } = await client.registerFlow({
    name: "ui-bench-map",
    storage: {
      type: "image",
      image: "flowgate/bench",
      path: "/flows/map.ts",
      flowName: "ui-bench-map",
    },
    graph: {
      tasks: [
        { name: "items", task: "items", mapped: false, upstream: [] },
        { name: "nap", task: "nap", mapped: true, upstream: ["items"] },
        { name: "count", task: "count", mapped: false, upstream: ["nap"] },
      ],
      parameters: [{ name: "n", required: false, default: N }],
    },
  });
  const { agent } = await client.registerAgent({ name: "ui-bench-agent" });
  const created = await client.createRun({ flow: flow.id });
  const claimed = await client.claim(agent.id, { max: 1, waitMs: 5000 });
  if (claimed.runs[0]?.run.id !== created.id)
    throw new Error("the bench agent did not claim its run");
  await client.setRunState(created.id, { state: "Running", agentId: agent.id });
  const t0 = Date.now() - 60_000;
  const at = (i: number) => t0 + Math.floor(i * 0.5);
  const nap = (i: number, state: string, time: number): TaskStateUpdate => ({
    task: "nap",
    mapIndex: i,
    state,
    at: time,
    worker: `worker-${i % WORKERS}`,
  });
  const feed = async (updates: TaskStateUpdate[]) => {
    for (let i = 0; i < updates.length; i += 10_000)
      await client.reportTaskStates(created.id, updates.slice(i, i + 10_000));
  };
  await feed([
    { task: "items", mapIndex: -1, state: "Running", at: t0 - 10 },
    { task: "items", mapIndex: -1, state: "Success", at: t0 },
  ]);
  await feed(Array.from({ length: N }, (_, i) => nap(i, "Running", at(i))));
  await feed(Array.from({ length: N - LIVE }, (_, i) => nap(i, "Success", at(i) + 20)));

  const apiMs = async (path: string) => {
    const s = performance.now();
    const r = await fetch(`${server.address}/api/${path}`, { headers: basicHeader(USER, "") });
    await r.text();
    return Math.round(performance.now() - s);
  };
  const summaryMs = await apiMs(`runs/${created.id}/tasks/summary`);
  const timelineMs = await apiMs(`runs/${created.id}/tasks/timeline?samples=600`);

  const ctx = await browser.browser.newContext({
    extraHTTPHeaders: basicHeader(USER, ""),
    viewport: { width: 1280, height: 800 },
  });
  const page = await ctx.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  const url = `${server.address}/#/runs/${created.id}`;
  // Times taken in the page, from its navigation start: when the counts per task and when the
  // Gantt first show (a MutationObserver installed before the page's own scripts run).
  await page.addInitScript(() => {
    const w = window as unknown as { shown: Record<string, number> };
    w.shown = {};
    new MutationObserver(() => {
      if (!w.shown.counts && document.querySelector('#tasks[data-mode="large"] #task-counts'))
        w.shown.counts = performance.now();
      if (!w.shown.gantt && document.querySelector('#tasks[data-mode="large"] #gantt'))
        w.shown.gantt = performance.now();
    }).observe(document, { subtree: true, childList: true });
  });
  const open = async () => {
    await page.goto("about:blank");
    await page.goto(url);
    await page
      .locator(`#tasks[data-mode="large"][data-total="${N + 1}"] #gantt`)
      .waitFor({ timeout: 60_000 });
    const t = await page.evaluate(
      () => (window as unknown as { shown: Record<string, number> }).shown,
    );
    return { counts: Math.round(t.counts!), gantt: Math.round(t.gantt!) };
  };
  const cold = await open();
  if (process.env.UI_BENCH_DEBUG)
    console.error(
      (
        await page.evaluate(() =>
          performance
            .getEntriesByType("resource")
            .map((e) => `${e.name} ${Math.round(e.startTime)}+${Math.round(e.duration)}`),
        )
      ).join("\n"),
    );
  const warm = await open();
  // Whatever the open started (the first read of counts and timeline) settles first.
  await page.locator("#live[data-state=live]").waitFor();
  await page.waitForTimeout(3000);
  const nodes = await page.evaluate(() => document.getElementsByTagName("*").length);
  const bars = Number(await page.locator("#gantt").getAttribute("data-bars"));

  await page.evaluate(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push(e.duration);
    }).observe({ type: "longtask" });
  });
  // The page follows the run's event stream: during the live phase it should read no counts.
  let summaryReads = 0;
  page.on("request", (r) => {
    if (r.url().includes("/tasks/summary")) summaryReads++;
  });
  const others = [];
  for (let v = 0; v < VIEWERS; v++) {
    const p = await ctx.newPage();
    await p.goto(url);
    await p.locator("#live[data-state=live]").waitFor();
    others.push(p);
  }
  const cpuStart = server.cpuMs();
  const liveStart = performance.now();
  for (let b = 0; b < 10; b++) {
    const from = N - LIVE + b * (LIVE / 10);
    await feed(
      Array.from({ length: LIVE / 10 }, (_, k) => nap(from + k, "Success", at(from + k) + 20)),
    );
    await new Promise((r) => setTimeout(r, 200));
  }
  const fedAt = performance.now();
  await page
    .locator(`#task-counts tr[data-task="nap"][data-success="${N}"]`)
    .waitFor({ timeout: 60_000 })
    .catch(async (e: Error) => {
      const row = await page
        .locator('#task-counts tr[data-task="nap"]')
        .evaluate((r) => r.outerHTML.slice(0, 400));
      throw new Error(`${e.message}\nthe nap row: ${row}\npage errors: ${pageErrors.join("; ")}`);
    });
  const shownAt = performance.now();
  const serverCpu = server.cpuMs() - cpuStart;
  const longTasks = await page.evaluate(
    () => (window as unknown as { longTasks: number[] }).longTasks,
  );
  console.log(
    JSON.stringify(
      {
        bench: "ui-large-run",
        tasks: N + 1,
        summary_api_ms: summaryMs,
        timeline_api_ms: timelineMs,
        open_counts_cold_ms: cold.counts,
        open_gantt_cold_ms: cold.gantt,
        open_counts_warm_ms: warm.counts,
        open_gantt_warm_ms: warm.gantt,
        target_open_ms: 1000,
        gantt_bars: bars,
        dom_elements: nodes,
        live_updates: LIVE,
        live_feed_ms: Math.round(fedAt - liveStart),
        live_last_update_shown_after_ms: Math.round(shownAt - fedAt),
        live_summary_reads: summaryReads,
        live_viewers: 1 + VIEWERS,
        live_server_cpu_ms: serverCpu,
        live_long_tasks: longTasks.length,
        live_longest_task_ms: Math.round(Math.max(0, ...longTasks)),
        live_blocked_ms: Math.round(longTasks.reduce((a, b) => a + b, 0)),
      },
      null,
      2,
    ),
  );
  await ctx.close();
} finally {
  await browser.close();
  await server.stop();
}

/** `flowgate server` in its own process (so the page's timings do not share its event loop). */
async function startServer(
  dbUrl: string,
): Promise<{ address: string; cpuMs(): number; stop(): Promise<void> }> {
  const bin = new URL("../bin/flowgate.js", import.meta.url).pathname;
  const child = spawn(
    process.execPath,
    [bin, "server", "--address", "127.0.0.1:0", "--db", dbUrl],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  const address = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`flowgate server exited with ${code}`)));
    lines.on("line", (line) => {
      const m = /^flowgate server ready (\{.*\})$/.exec(line);
      if (m) resolve((JSON.parse(m[1]!) as { address: string }).address);
    });
  });
  return {
    address,
    /** The server process's CPU time so far (user + system, Linux /proc, 100 ticks a second). */
    cpuMs() {
      const f = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return (Number(f[11]) + Number(f[12])) * 10;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
