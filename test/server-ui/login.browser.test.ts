// The UI's own login (POST /api/login, session cookie) against a server that wants a user: the
// form for the auth mode, a wrong password's error, the right one showing only that user's
// runs, and logout. A real server (in this process) and Debian's Chromium; no credentials in
// the browser context, so only the form can log in.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { BasicAuth, TokenAuth } from "../../src/gateway/client/auth.ts";
import { hashPassword } from "../../src/gateway/server/auth/index.ts";
import { ServerClient } from "../../src/server/index.ts";
import { browserMissing, launchBrowser, type TestBrowser } from "../dashboard/fixtures/browser.ts";
import { registerTestFlow, startTestServer, testDatabase } from "../server/support/test-server.ts";
import { screenshot } from "./fixtures/ui-stack.ts";

const skip = browserMissing();

/**
 * The page's 401 answers, as "challenge header: value": a WWW-Authenticate challenge would make
 * a browser open its own login dialog over the form, so the UI must get X-Flowgate-Auth instead.
 */
function challenges(page: Page, seen: string[]): void {
  page.on("response", (r) => {
    if (r.status() !== 401) return;
    const h = r.headers();
    seen.push(
      h["www-authenticate"]
        ? `www-authenticate: ${h["www-authenticate"]}`
        : `x-flowgate-auth: ${h["x-flowgate-auth"]}`,
    );
  });
}

describe("server UI login in a browser", { skip }, () => {
  let b: TestBrowser;
  before(async () => {
    b = await launchBrowser();
  });
  after(async () => {
    await b?.close();
  });

  test("ui login - basic auth: the form, a wrong password's error, the right one shows only that user's runs; logout", async () => {
    const db = await testDatabase("sqlite");
    const [alicePw, bobPw] = await Promise.all([hashPassword("alice-pw"), hashPassword("bob-pw")]);
    const t = await startTestServer(db.url, {
      auth: {
        type: "basic",
        users: { alice: { passwordHash: alicePw }, bob: { passwordHash: bobPw } },
      },
    });
    const ctx = await b.browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const as = (user: string, pw: string) =>
        new ServerClient({ address: t.server.url, auth: new BasicAuth(user, pw) });
      const alice = as("alice", "alice-pw");
      const bob = as("bob", "bob-pw");
      const aliceRun = await alice.createRun({ flow: await registerTestFlow(alice, "alice-etl") });
      const bobRun = await bob.createRun({ flow: await registerTestFlow(bob, "bob-etl") });

      const page = await ctx.newPage();
      const seen: string[] = [];
      challenges(page, seen);
      await page.goto(`${t.server.url}/#/runs`);
      const form = page.getByRole("form", { name: "Log in to flowgate" });
      await form.waitFor();
      assert.equal(
        await page.evaluate(() => document.activeElement?.id),
        "login-user",
        "focus starts in the user name",
      );
      assert.equal(await page.locator("#login-token").count(), 0, "no token field for Basic");
      await screenshot(page, "ui-login.png", false);

      await page.getByLabel("User name").fill("alice");
      await page.getByLabel("Password").fill("not-her-password");
      await page.getByRole("button", { name: "Log in" }).click();
      const alert = page.getByRole("alert");
      await alert.waitFor();
      assert.match(await alert.innerText(), /wrong user name or password/);
      assert.equal(await page.locator("#runs").count(), 0, "no runs before logging in");

      await page.getByLabel("Password").fill("alice-pw");
      await page.getByRole("button", { name: "Log in" }).click();
      await page.locator(`#runs tr[data-run="${aliceRun.id}"]`).waitFor();
      assert.equal(
        await page.locator(`#runs tr[data-run="${bobRun.id}"]`).count(),
        0,
        "bob's run is not shown to alice",
      );
      assert.equal(await page.locator("#me-name").innerText(), "alice");
      const cookies = await ctx.cookies();
      assert.ok(
        cookies.some((c) => c.httpOnly),
        "the session is an HttpOnly cookie",
      );

      // the session carries on to another page, a reload and a run's live page
      await page.goto(`${t.server.url}/#/runs/${aliceRun.id}`);
      await page.locator("#run-title", { hasText: `Run #${aliceRun.id}` }).waitFor();
      await page.reload();
      await page.locator("#run-title", { hasText: `Run #${aliceRun.id}` }).waitFor();

      await page.getByRole("button", { name: "Log out" }).click();
      await form.waitFor();
      await page.reload();
      await form.waitFor();
      assert.equal(await page.locator("#me-name").count(), 0);
      assert.ok(seen.length >= 2, "the page met 401s (before login, after logout)");
      assert.deepEqual(new Set(seen), new Set(['x-flowgate-auth: Basic realm="flowgate"']));
    } finally {
      await ctx.close();
      await t.close();
      await db.drop();
    }
  });

  test("ui login - token auth: the form asks for a token; a wrong one is refused, the right one logs in", async () => {
    const db = await testDatabase("sqlite");
    const t = await startTestServer(db.url, {
      auth: { type: "token", tokens: { "carol-secret-token": { user: "carol" } } },
    });
    const ctx = await b.browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const carol = new ServerClient({
        address: t.server.url,
        auth: new TokenAuth("carol-secret-token"),
      });
      const run = await carol.createRun({ flow: await registerTestFlow(carol, "carol-etl") });
      const page = await ctx.newPage();
      const seen: string[] = [];
      challenges(page, seen);
      await page.goto(`${t.server.url}/`);
      await page.getByRole("form", { name: "Log in to flowgate" }).waitFor();
      assert.equal(await page.locator("#login-user").count(), 0, "no user name for tokens");
      await page.getByLabel("API token").fill("not-a-token");
      await page.getByRole("button", { name: "Log in" }).click();
      assert.match(await page.getByRole("alert").innerText(), /that token is not valid/);
      await page.getByLabel("API token").fill("carol-secret-token");
      await page.getByRole("button", { name: "Log in" }).click();
      await page.locator(`#runs tr[data-run="${run.id}"]`).waitFor();
      assert.equal(await page.locator("#me-name").innerText(), "carol");
      assert.deepEqual(new Set(seen), new Set(['x-flowgate-auth: Bearer realm="flowgate"']));
    } finally {
      await ctx.close();
      await t.close();
      await db.drop();
    }
  });
});
