import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import Fastify from "fastify";
import { registerUi } from "../../src/server/ui/ui-routes.ts";

/** An app with only the UI. */
async function app() {
  const a = Fastify({ logger: false });
  registerUi(a);
  await a.ready();
  return a;
}

// The pages are public package files with no data: the login form must load without a session.
test("ui routes - the shell and its modules are served without a session (the UI logs in itself)", async () => {
  const a = await app();
  try {
    const index = await a.inject({ url: "/" });
    assert.equal(index.statusCode, 200);
    assert.match(index.headers["content-type"] as string, /^text\/html/);
    assert.match(index.body, /<script type="module" src="ui\/app.js">/);
    const js = await a.inject({ url: "/ui/pages/run.js" });
    assert.equal(js.statusCode, 200);
    assert.match(js.headers["content-type"] as string, /^text\/javascript/);
    const css = await a.inject({ url: "/ui/ui.css" });
    assert.match(css.headers["content-type"] as string, /^text\/css/);
  } finally {
    await a.close();
  }
});

test("ui routes - every module the pages import is served; unknown paths are 404; ETags give 304", async () => {
  const a = await app();
  try {
    const root = new URL("../../src/server/ui/static/", import.meta.url);
    const files = readdirSync(root, { recursive: true }).map(String);
    const imports = new Set<string>();
    for (const f of files.filter((x) => x.endsWith(".js"))) {
      const body = (await a.inject({ url: `/ui/${f}` })).body;
      const dir = f.includes("/") ? f.slice(0, f.lastIndexOf("/") + 1) : "";
      for (const m of body.matchAll(/(?:from|import\() *"(\.[^"]+)"/g))
        imports.add(new URL(m[1]!, `http://x/${dir}`).pathname.slice(1));
    }
    assert.ok(imports.size >= 10, [...imports].join(" "));
    const index = (await a.inject({ url: "/" })).body;
    for (const m of index.matchAll(/href="ui\/([^"]+)"/g)) imports.add(m[1]!);
    for (const i of imports) assert.equal((await a.inject({ url: `/ui/${i}` })).statusCode, 200, i);
    for (const bad of [
      "/ui/nope.js",
      "/ui/../ui-routes.ts",
      "/ui/%2e%2e/ui-routes.ts",
      "/ui/index.html",
    ])
      assert.equal((await a.inject({ url: bad })).statusCode, 404, bad);
    const first = await a.inject({ url: "/ui/format.js" });
    const again = await a.inject({
      url: "/ui/format.js",
      headers: { "if-none-match": first.headers.etag as string },
    });
    assert.equal(again.statusCode, 304);
  } finally {
    await a.close();
  }
});
