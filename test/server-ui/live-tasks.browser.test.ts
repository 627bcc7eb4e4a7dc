// The run page's live tasks in a browser: a small run's rows are read once when the page opens,
// then moved by the run stream's task events (`?tasks=live`); a large run's counts and Gantt come
// from the server's `?tasks=summary` stream — exact, and never re-read by the page. A real server in this process; the test plays the agent through the
// REST API (claim, Running, task-state batches), as bench/ui.ts does at 100,000 task runs.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { TaskStateUpdate } from "../../src/server/api/index.ts";
import type { ServerClient } from "../../src/server/index.ts";
import {
  basicHeader,
  browserMissing,
  launchBrowser,
  type TestBrowser,
} from "../dashboard/fixtures/browser.ts";
import { startTestServer, testDatabase } from "../server/support/test-server.ts";

const skip = browserMissing();
const USER = "ui-live";

/** A run of a map flow, claimed and Running, as an agent would leave it. */
async function runningRun(c: ServerClient, agentId: number): Promise<number> {
  const { flow } = await c.registerFlow({
    name: `ui-live-${Math.random().toString(36).slice(2, 8)}`,
    storage: { type: "image", image: "flowgate/test", path: "/flows/map.ts", flowName: "map" },
    graph: {
      tasks: [
        { name: "items", task: "items", mapped: false, upstream: [] },
        { name: "nap", task: "nap", mapped: true, upstream: ["items"] },
      ],
      parameters: [],
    },
  });
  const run = await c.createRun({ flow: flow.id });
  const claimed = await c.claim(agentId, { max: 1, waitMs: 5000 });
  assert.equal(claimed.runs[0]?.run.id, run.id, "the test agent claims its run");
  await c.setRunState(run.id, { state: "Running", agentId });
  return run.id;
}

const naps = (from: number, n: number, state: string, at: number): TaskStateUpdate[] =>
  Array.from({ length: n }, (_, k) => ({
    task: "nap",
    mapIndex: from + k,
    state,
    at: at + from + k,
    worker: `worker-${(from + k) % 4}`,
  }));

/** Counts how often `page` asks for a run's counts from now on. */
function summaryReads(page: Page): () => number {
  let n = 0;
  page.on("request", (r) => {
    if (r.url().includes("/tasks/summary")) n++;
  });
  return () => n;
}

describe("server UI live tasks in a browser", { skip }, () => {
  let b: TestBrowser;
  let close: () => Promise<void>;
  let url: string;
  let c: ServerClient;
  let agentId: number;

  before(async () => {
    b = await launchBrowser();
    const db = await testDatabase("sqlite");
    const t = await startTestServer(db.url);
    close = async () => {
      await t.close();
      await db.drop();
    };
    url = t.server.url;
    c = t.client(USER);
    agentId = (await c.registerAgent({ name: "ui-live-agent" })).agent.id;
  });
  after(async () => {
    await b?.close();
    await close?.();
  });

  test("ui live tasks - a large run's counts are the server's exact ones while task runs the page never saw change", async () => {
    const id = await runningRun(c, agentId);
    const t0 = Date.now() - 10_000;
    await c.reportTaskStates(id, [{ task: "items", mapIndex: -1, state: "Success", at: t0 }]);
    await c.reportTaskStates(id, naps(0, 2000, "Running", t0));
    await c.reportTaskStates(id, naps(2000, 500, "Pending", t0));
    const ctx = await b.browser.newContext({ extraHTTPHeaders: basicHeader(USER, "") });
    try {
      const page = await ctx.newPage();
      const streams: string[] = [];
      page.on("request", (r) => {
        if (r.url().includes("/events")) streams.push(new URL(r.url()).search);
      });
      await page.goto(`${url}/#/runs/${id}`);
      await page.locator('#tasks[data-mode="large"][data-total="2501"]').waitFor();
      await page
        .locator('#task-counts tr[data-task="nap"][data-running="2000"][data-pending="500"]')
        .waitFor();
      await page.locator("#gantt").waitFor();
      await page.locator("#live[data-state=live]").waitFor();
      const reads = summaryReads(page);

      // Pending again, and new task runs reported straight as Success: a page that guessed the
      // previous state of task runs it never saw would count these wrong
      await c.reportTaskStates(id, naps(2000, 500, "Pending", t0 + 50));
      await c.reportTaskStates(id, naps(2500, 300, "Success", t0 + 60));
      await c.reportTaskStates(id, naps(0, 1500, "Success", t0 + 100));
      await page
        .locator(
          '#task-counts tr[data-task="nap"][data-total="2800"][data-running="500"][data-pending="500"][data-success="1800"]',
        )
        .waitFor();
      await page.locator('#tasks[data-total="2801"]').waitFor();
      const bars = Number(await page.locator("#gantt").getAttribute("data-bars"));
      assert.ok(bars > 0, `the Gantt draws its sample (${bars} bars)`);

      // the run ends: the stream's final summary has the last counts
      await c.reportTaskStates(id, naps(1500, 1000, "Success", t0 + 300));
      await c.setRunState(id, { state: "Success" });
      await page.locator('#run-state[data-state="Success"]').waitFor();
      await page
        .locator('#task-counts tr[data-task="nap"][data-success="2800"][data-total="2800"]')
        .waitFor();
      assert.equal(reads(), 0, `the page read the counts ${reads()} times itself`);
      assert.ok(
        streams.some((q) => q.includes("tasks=summary")),
        `the page streamed the summary (${streams.join(" ")})`,
      );
    } finally {
      await ctx.close();
    }
  });

  test("ui live tasks - a run that grows past 300 task runs while open turns into exact counts", async () => {
    const id = await runningRun(c, agentId);
    const t0 = Date.now() - 10_000;
    const ctx = await b.browser.newContext({ extraHTTPHeaders: basicHeader(USER, "") });
    try {
      const page = await ctx.newPage();
      await page.goto(`${url}/#/runs/${id}`);
      await page.locator('#tasks[data-mode="small"][data-total="0"]').waitFor();
      await page.locator("#live[data-state=live]").waitFor();
      const reads = summaryReads(page);
      await c.reportTaskStates(id, naps(0, 200, "Running", t0));
      await page.locator('#task-runs tr[data-task="nap"][data-index="199"]').waitFor();
      await c.reportTaskStates(id, naps(200, 400, "Running", t0));
      await page.locator('#tasks[data-mode="large"][data-total="600"]').waitFor();
      await c.reportTaskStates(id, naps(0, 250, "Success", t0 + 50));
      await page
        .locator('#task-counts tr[data-task="nap"][data-success="250"][data-running="350"]')
        .waitFor();
      assert.equal(await page.locator("#task-runs").count(), 0, "no per-task-run table");
      assert.equal(reads(), 0, "the switch to counts needed no read of the counts");
    } finally {
      await ctx.close();
    }
  });
});
