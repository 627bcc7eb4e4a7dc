import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync } from "node:fs";
import { GatewayEnvironment } from "../../src/environments/index.ts";
import { BasicAuth, Gateway } from "../../src/gateway/client/index.ts";
import { startGateway, type RunningGateway } from "../../src/gateway/server/index.ts";
import { eventually, processesOfCluster } from "../support/processes.ts";
import {
  basicHeader,
  browserMissing,
  launchBrowser,
  type TestBrowser,
} from "./fixtures/browser.ts";
import { busyFlow } from "./fixtures/busy-flow.ts";

const PASSWORD = "dashboard-s3cret";
const artifacts = new URL("../../test-artifacts/", import.meta.url).pathname;
const images = new URL("../../docs/images/", import.meta.url).pathname;
const skip = browserMissing();

/** Saves a screenshot to test-artifacts/ and copies it to docs/images/ for the README. */
function keepScreenshot(name: string): string {
  mkdirSync(images, { recursive: true });
  copyFileSync(`${artifacts}${name}`, `${images}${name}`);
  return `${artifacts}${name}`;
}

async function assertClusterGone(client: Gateway, name: string): Promise<void> {
  await eventually(
    `cluster ${name} is stopped`,
    async () => {
      const s = (await client.getCluster(name)).status;
      return s === "STOPPED" || s === "FAILED";
    },
    30_000,
  );
  await eventually(
    `no process of cluster ${name} remains`,
    () => processesOfCluster(name).length === 0,
    30_000,
  );
}

describe("dashboards in a browser", { skip }, () => {
  let gw: RunningGateway;
  let b: TestBrowser;
  const alice = new BasicAuth("alice", PASSWORD);

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    gw = await startGateway({
      address: "127.0.0.1:0",
      auth: { type: "simple", password: PASSWORD, admins: ["root"] },
      backend: "unsafe-local",
      db: ":memory:",
      logLevel: "warn",
    });
    b = await launchBrowser();
  });
  after(async () => {
    await b?.close();
    await gw?.close();
  });

  test("cluster dashboard - follows a 2,000-task map through the gateway until its counts reach the totals", async () => {
    const client = new Gateway({ address: gw.address, auth: alice });
    const env = new GatewayEnvironment({ gatewayAddress: gw.address, auth: alice, workers: 2 });
    const run = env.run(busyFlow, {
      parameters: { n: 2000, ms: 3, lingerMs: 2500 },
      printLogs: false,
    });
    let name = "";
    await eventually(
      "the run's cluster is RUNNING",
      async () => {
        const running = await client.listClusters("RUNNING");
        name = running[0]?.name ?? "";
        return name !== "";
      },
      30_000,
    );

    const ctx = await b.browser.newContext({
      extraHTTPHeaders: basicHeader("alice", PASSWORD),
      viewport: { width: 1280, height: 900 },
    });
    try {
      const page = await ctx.newPage();
      await page.goto(`${gw.address}/clusters/${name}/status`);
      await page.locator("#live", { hasText: "live" }).waitFor({ timeout: 15_000 });
      const nap = page.locator('.prow[data-task="nap"]').first();
      await nap.waitFor({ timeout: 15_000 });
      await page.waitForFunction(
        () => {
          const row = document.querySelector('.prow[data-task="nap"]') as HTMLElement | null;
          const sum = document.querySelector('.prow[data-task="total"]') as HTMLElement | null;
          return (
            row?.dataset.finished === "2000" &&
            row.dataset.total === "2000" &&
            sum?.dataset.finished === "1"
          );
        },
        undefined,
        { timeout: 60_000 },
      );
      assert.equal(await nap.getAttribute("data-failed"), "0");
      assert.ok(
        (await page.locator("#workers tbody tr").count()) >= 1,
        "the workers table lists the workers",
      );
      assert.ok((await page.locator("#graph svg rect").count()) > 0, "the task graph is drawn");
      assert.match(await page.locator("#log").innerText(), /napped for item/);
      // A task run of the log opens its story: the scheduler's transitions of it.
      const logged = page.locator('#log button.task-link[data-task^="nap["]').first();
      const key = (await logged.getAttribute("data-task"))!;
      await logged.click();
      const story = page.locator(`#story[data-task="${key}"][data-state="shown"]`);
      await story.waitFor({ timeout: 10_000 });
      const moves = await story
        .locator("#story-table tbody tr")
        .evaluateAll((rows) =>
          rows.map((r) => [
            r.dataset.from,
            r.dataset.to,
            (r as HTMLTableRowElement).cells[4]!.textContent,
          ]),
        );
      assert.ok(moves.length >= 2, `the story of ${key} has ${moves.length} transitions`);
      assert.equal(moves.at(-1)![1], "finished", `${key} ends finished: ${JSON.stringify(moves)}`);
      for (let i = 1; i < moves.length; i++)
        assert.equal(moves[i]![0], moves[i - 1]![1], `each transition starts where the last ended`);
      assert.ok(
        moves.every((m) => m[2]),
        "every transition names its stimulus",
      );
      const metrics = await ctx.request.get(`${gw.address}/clusters/${name}/metrics`);
      assert.equal(metrics.status(), 200);
      const text = await metrics.text();
      assert.match(text, /flowgate_scheduler_tasks_finished_total\{outcome="success"\} (\d+)/);
      assert.ok(Number(/outcome="success"\} (\d+)/.exec(text)![1]) >= 2002, text);
      assert.match(text, /flowgate_scheduler_task_duration_seconds_count \d+/);
      await page.screenshot({ path: `${artifacts}cluster-dashboard.png`, fullPage: true });
      keepScreenshot("cluster-dashboard.png");

      const home = await ctx.newPage();
      await home.goto(`${gw.address}/`);
      const rowOf = home.locator(`tr[data-cluster="${name}"]`);
      await rowOf.waitFor({ timeout: 10_000 });
      assert.equal(await rowOf.getAttribute("data-status"), "RUNNING");
      assert.equal(
        await rowOf.locator("a", { hasText: "dashboard" }).getAttribute("href"),
        `clusters/${name}/status`,
      );
      await home.screenshot({ path: `${artifacts}gateway-dashboard.png`, fullPage: true });
      keepScreenshot("gateway-dashboard.png");
    } finally {
      await ctx.close();
    }
    const result = await run;
    assert.equal(result.state.type, "Success");
    assert.equal(result.outputs, 1999 * 2000);
    await assertClusterGone(client, name);
  });

  test("gateway dashboard - lists the user's clusters (an admin sees everyone's) and its stop button stops one", async () => {
    const client = new Gateway({ address: gw.address, auth: alice });
    const name = await client.submit();
    try {
      await eventually(
        "the cluster is RUNNING",
        async () => (await client.getCluster(name)).status === "RUNNING",
        30_000,
      );
      const metrics = await (await fetch(`${gw.address}/metrics`)).text();
      assert.match(metrics, /flowgate_gateway_clusters\{status="RUNNING"\} 1/);

      const bob = await b.browser.newContext({ extraHTTPHeaders: basicHeader("bob", PASSWORD) });
      const bobPage = await bob.newPage();
      await bobPage.goto(`${gw.address}/`);
      await bobPage
        .locator("td.empty", { hasText: "No clusters yet" })
        .waitFor({ timeout: 10_000 });
      await bob.close();

      const root = await b.browser.newContext({ extraHTTPHeaders: basicHeader("root", PASSWORD) });
      const rootPage = await root.newPage();
      await rootPage.goto(`${gw.address}/`);
      await rootPage
        .locator(`tr[data-cluster="${name}"]`, { hasText: "alice" })
        .waitFor({ timeout: 10_000 });
      await root.close();

      const ctx = await b.browser.newContext({
        extraHTTPHeaders: basicHeader("alice", PASSWORD),
        viewport: { width: 1280, height: 600 },
      });
      const page = await ctx.newPage();
      await page.goto(`${gw.address}/`);
      const row = page.locator(`tr[data-cluster="${name}"]`);
      await row.locator("button.stop").click();
      await page
        .locator(`tr[data-cluster="${name}"][data-status="STOPPED"]`)
        .waitFor({ timeout: 30_000 });
      await page.screenshot({ path: `${artifacts}gateway-dashboard-stopped.png`, fullPage: true });
      await ctx.close();
      assert.equal(
        (await client.getCluster(name)).stopReason ?? "stopped by the user",
        "stopped by the user",
      );
    } finally {
      await client.stopCluster(name).catch(() => undefined);
    }
    await assertClusterGone(client, name);
  });
});
