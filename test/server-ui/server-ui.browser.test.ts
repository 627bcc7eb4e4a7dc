import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { Gateway } from "../../src/gateway/client/index.ts";
import { auth } from "../agent/support.ts";
import { browserMissing } from "../dashboard/fixtures/browser.ts";
import { eventually, processesOfCluster } from "../support/processes.ts";
import { screenshot, startUiStack, type UiStack } from "./fixtures/ui-stack.ts";

const skip = browserMissing();
const file = (p: string) => new URL(p, import.meta.url).pathname;
const LIVE = { timeout: 90_000 };

/** The run page's state badge once it shows `state`. */
const runInState = (page: Page, state: string) =>
  page.locator(`#run-state[data-state="${state}"]`).waitFor(LIVE);

describe("server UI in a browser (real gateway, server and agent)", { skip }, () => {
  let s: UiStack;

  before(async () => {
    s = await startUiStack({
      timesTwo: file("../../examples/times-two.ts"),
      slow: file("../agent/fixtures/slow-flow.ts"),
      naps: file("./fixtures/many-naps.ts"),
    });
    await s.client.setSchedule(s.flows.slow!, {
      clocks: [{ type: "cron", cron: "0 3 1 1 *", timezone: "Europe/Paris" }],
    });
  });
  after(async () => {
    await s?.close();
  });

  test("ui - a run created from the flow's form reaches Success live: tasks, graph, log, history, cluster, cost", async () => {
    const ctx = await s.context();
    try {
      const page = await ctx.newPage();
      await page.goto(`${s.server.address}/#/flows`);
      await page.locator(`#flows tr[data-flow="${s.flows.timesTwo}"]`).waitFor();
      assert.match(
        await page.locator(`#flows tr[data-flow="${s.flows.slow}"]`).innerText(),
        /cron 0 3 1 1 \* \(Europe\/Paris\)/,
      );

      await page.goto(`${s.server.address}/#/flows/${s.flows.timesTwo}`);
      const x = page.locator('[data-param="x"]');
      assert.equal(await x.inputValue(), "[1,2,3]", "the field starts at the flow's default");
      await x.fill(JSON.stringify(Array.from({ length: 10 }, (_, i) => i)));
      await page.getByRole("button", { name: "Create run" }).click();
      await page.waitForURL(/#\/runs\/\d+$/);
      const runId = Number(/#\/runs\/(\d+)$/.exec(page.url())![1]);

      await runInState(page, "Success");
      assert.equal(await page.locator("#run-result").innerText(), "90");
      await page.locator('#task-counts tr[data-task="timesTwo"][data-success="10"]').waitFor(LIVE);
      assert.ok(await page.locator('#task-graph g[data-task="getSum"]').count());
      for (const state of ["Scheduled", "Submitted", "Running", "Success"])
        await page.locator(`#run-history li[data-state="${state}"]`).first().waitFor(LIVE);
      await page.locator("#log", { hasText: "Cluster created." }).waitFor(LIVE);
      await page.locator('#run-cluster[data-status="STOPPED"]').waitFor(LIVE);
      assert.match(await page.locator("#run-cost").innerText(), /Worker time/);
      assert.equal(
        await page.locator("#cluster-dashboard").getAttribute("href"),
        (await s.client.getRun(runId)).cluster!.dashboardLink,
      );
      assert.equal(await page.locator("#cancel").isDisabled(), true);

      await page.locator("#log-level").selectOption("ERROR");
      assert.doesNotMatch(await page.locator("#log").innerText(), /Cluster created/);
      await page.locator("#log-level").selectOption("DEBUG");
      await page.locator("#log-search").fill("cluster created");
      await page.locator("#log mark").first().waitFor();
      await page.locator("#log-search").fill("");
      await page.locator("#log mark").first().waitFor({ state: "detached" });
      await screenshot(page, "ui-run.png");

      await page.goto(`${s.server.address}/#/flows`);
      await page.locator(`#flows a.dot[data-run="${runId}"][data-state="Success"]`).waitFor();
      await screenshot(page, "ui-flows.png");
    } finally {
      await ctx.close();
    }
  });

  test("ui - runs list follows a new run live; its cluster dashboard opens through the gateway; cancel stops it and its cluster; re-run", async () => {
    const ctx = await s.context();
    const gw = new Gateway({ address: s.gateway.address, auth });
    try {
      const list = await ctx.newPage();
      await list.goto(`${s.server.address}/#/runs?flow=${s.flows.slow}`);
      await list.locator("#live[data-state=live]").waitFor();

      const page = await ctx.newPage();
      await page.goto(`${s.server.address}/#/flows/${s.flows.slow}?create=1`);
      await page.getByRole("button", { name: "Create run" }).click();
      await page.waitForURL(/#\/runs\/\d+$/);
      const runId = Number(/#\/runs\/(\d+)$/.exec(page.url())![1]);
      await list.locator(`#runs tr[data-run="${runId}"]`).waitFor(LIVE);
      await list.locator(`#runs tr[data-run="${runId}"][data-state="Running"]`).waitFor(LIVE);

      await runInState(page, "Running");
      await page.locator('#run-cluster[data-status="RUNNING"]').waitFor(LIVE);
      const cluster = await page.locator("#cluster-name").innerText();
      const [dash] = await Promise.all([
        ctx.waitForEvent("page"),
        page.locator("#cluster-dashboard").click(),
      ]);
      await dash.waitForLoadState();
      assert.match(dash.url(), new RegExp(`/clusters/${cluster}/status$`));
      await dash.locator("#live", { hasText: "live" }).waitFor(LIVE);
      await dash.locator('.prow[data-task="hold"]').first().waitFor(LIVE);
      await screenshot(dash, "ui-cluster-dashboard.png");
      await dash.close();

      await page.locator("#cancel").click();
      await runInState(page, "Cancelled");
      await page.locator('#run-history li[data-state="Cancelling"]').waitFor(LIVE);
      await page.locator('#run-cluster[data-status="STOPPED"]').waitFor(LIVE);
      await list.locator(`#runs tr[data-run="${runId}"][data-state="Cancelled"]`).waitFor(LIVE);
      await eventually(
        `cluster ${cluster} is STOPPED at the gateway`,
        async () => (await gw.getCluster(cluster)).status === "STOPPED",
        30_000,
      );
      await eventually(
        `no process of cluster ${cluster} remains`,
        () => processesOfCluster(cluster).length === 0,
        30_000,
      );

      await page.locator("#rerun").click();
      await page.waitForURL(
        (u) => /#\/runs\/\d+$/.test(u.toString()) && !u.toString().endsWith(`/${runId}`),
      );
      const again = await s.client.getRun(Number(/#\/runs\/(\d+)$/.exec(page.url())![1]));
      const first = await s.client.getRun(runId);
      assert.deepEqual(
        { flow: again.flowId, version: again.version, parameters: again.parameters },
        { flow: first.flowId, version: first.version, parameters: first.parameters },
      );
      await list.locator(`#runs tr[data-run="${again.id}"]`).waitFor(LIVE);
      await screenshot(list, "ui-runs.png");
      await page.locator("#cancel:not([disabled])").click();
      await runInState(page, "Cancelled");
      const stopped = await s.client.getRun(again.id);
      if (stopped.cluster)
        await eventually(
          `the re-run's cluster ${stopped.cluster.name} is STOPPED`,
          async () => (await gw.getCluster(stopped.cluster!.name)).status === "STOPPED",
          30_000,
        );
    } finally {
      await ctx.close();
    }
  });

  test("ui - a 3,000-task map opens as counts per task and a sampled Gantt that follow the run live", async () => {
    const ctx = await s.context();
    try {
      const run = await s.client.createRun({
        flow: s.flows.naps!,
        parameters: { n: 3000, ms: 5 },
      });
      const page = await ctx.newPage();
      await page.goto(`${s.server.address}/#/runs/${run.id}`);
      await runInState(page, "Success");
      await page.locator('#tasks[data-mode="large"]').waitFor(LIVE);
      await page.locator('#task-counts tr[data-task="nap"][data-success="3000"]').waitFor(LIVE);
      // The Gantt draws what the server's timeline holds (task runs with a start time).
      const timeline = await s.client.timeline(run.id, 600);
      if (timeline.total > 0) {
        const bars = Number(await page.locator("#gantt").getAttribute("data-bars"));
        assert.ok(bars > 0 && bars <= timeline.items.length, `the Gantt draws ${bars} bars`);
      } else await page.locator("#tasks .gantt-empty").waitFor();
      assert.equal(await page.locator("#task-runs").count(), 0, "no per-task-run table");
      await screenshot(page, "ui-run-large.png");
    } finally {
      await ctx.close();
    }
  });

  test("ui - schedules pause/resume, agents, waiting runs with their reason; keyboard and phone width", async () => {
    const ctx = await s.context();
    const phone = await s.context({ width: 390, height: 844 });
    try {
      const page = await ctx.newPage();
      await page.goto(`${s.server.address}/#/schedules`);
      const sched = page.locator(`section[data-flow="${s.flows.slow}"]`);
      await sched.locator('[data-schedule="active"]').waitFor();
      assert.ok((await sched.locator("ol.upcoming li").count()) >= 1, "upcoming runs are listed");
      await sched.getByRole("button", { name: "Pause schedule" }).click();
      await sched.locator('[data-schedule="paused"]').waitFor();
      assert.equal((await s.client.getSchedule(s.flows.slow!)).active, false);
      await screenshot(page, "ui-schedules.png");
      await sched.getByRole("button", { name: "Resume schedule" }).click();
      await sched.locator('[data-schedule="active"]').waitFor();
      assert.equal((await s.client.getSchedule(s.flows.slow!)).active, true);

      await page.goto(`${s.server.address}/#/agents`);
      await page.locator(`#agents tr[data-agent="${s.agent.id}"][data-live="true"]`).waitFor();

      const stranded = await s.client.createRun({
        flow: s.flows.timesTwo!,
        labels: ["gpu-nowhere"],
      });
      await page.goto(`${s.server.address}/#/queue`);
      const row = page.locator(`#stranded tr[data-run="${stranded.id}"]`);
      await row.waitFor(LIVE);
      assert.match(await row.locator("td.why").innerText(), /gpu-nowhere/);
      await screenshot(page, "ui-waiting.png");
      await s.client.cancelRun(stranded.id);
      await row.waitFor({ state: "detached", ...LIVE });

      // keyboard: the skip link comes first, the menu is reachable, Enter follows a link
      const kb = await ctx.newPage();
      await kb.goto(`${s.server.address}/#/runs`);
      await kb.locator("#runs, #runs-list .empty").first().waitFor();
      await kb.keyboard.press("Tab");
      assert.equal(await kb.evaluate(() => document.activeElement?.textContent), "Skip to content");
      let reached = false;
      for (let i = 0; i < 8 && !reached; i++) {
        await kb.keyboard.press("Tab");
        reached = (await kb.evaluate(() => document.activeElement?.textContent)) === "Flows";
      }
      assert.ok(reached, "Tab reaches the Flows menu entry");
      await kb.keyboard.press("Enter");
      await kb.waitForURL(/#\/flows$/);
      await kb.locator('nav a[aria-current="page"]', { hasText: "Flows" }).waitFor();

      const small = await phone.newPage();
      await small.goto(`${s.server.address}/#/runs`);
      await small.locator("#runs").waitFor(LIVE);
      const overflow = await small.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone screen`);
      await screenshot(small, "ui-runs-phone.png", false);
    } finally {
      await ctx.close();
      await phone.close();
    }
  });
});
