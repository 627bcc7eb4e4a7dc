import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import Fastify, { type FastifyRequest } from "fastify";
import { registerUi } from "../../src/server/ui/ui-routes.ts";

/** An app with only the UI, behind an authenticate hook that wants `Authorization: ok`. */
async function app() {
  const a = Fastify({ logger: false });
  a.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) =>
    reply.code(err.statusCode ?? 500).send({ error: err.message }),
  );
  registerUi(a, {
    authenticate: async (req: FastifyRequest) => {
      if (req.headers.authorization !== "ok")
        throw Object.assign(new Error("Authentication required"), { statusCode: 401 });
      return { name: "ada" };
    },
  });
  await a.ready();
  return a;
}

const ok = { authorization: "ok" };

test("ui routes - the shell and its modules are served behind the server's authentication", async () => {
  const a = await app();
  try {
    assert.equal((await a.inject({ url: "/" })).statusCode, 401);
    assert.equal((await a.inject({ url: "/ui/app.js" })).statusCode, 401);
    const index = await a.inject({ url: "/", headers: ok });
    assert.equal(index.statusCode, 200);
    assert.match(index.headers["content-type"] as string, /^text\/html/);
    assert.match(index.body, /<script type="module" src="ui\/app.js">/);
    const js = await a.inject({ url: "/ui/pages/run.js", headers: ok });
    assert.equal(js.statusCode, 200);
    assert.match(js.headers["content-type"] as string, /^text\/javascript/);
    const css = await a.inject({ url: "/ui/ui.css", headers: ok });
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
      const body = (await a.inject({ url: `/ui/${f}`, headers: ok })).body;
      const dir = f.includes("/") ? f.slice(0, f.lastIndexOf("/") + 1) : "";
      for (const m of body.matchAll(/(?:from|import\() *"(\.[^"]+)"/g))
        imports.add(new URL(m[1]!, `http://x/${dir}`).pathname.slice(1));
    }
    assert.ok(imports.size >= 10, [...imports].join(" "));
    const index = (await a.inject({ url: "/", headers: ok })).body;
    for (const m of index.matchAll(/href="ui\/([^"]+)"/g)) imports.add(m[1]!);
    for (const i of imports)
      assert.equal((await a.inject({ url: `/ui/${i}`, headers: ok })).statusCode, 200, i);
    for (const bad of [
      "/ui/nope.js",
      "/ui/../ui-routes.ts",
      "/ui/%2e%2e/ui-routes.ts",
      "/ui/index.html",
    ])
      assert.equal((await a.inject({ url: bad, headers: ok })).statusCode, 404, bad);
    const first = await a.inject({ url: "/ui/format.js", headers: ok });
    const again = await a.inject({
      url: "/ui/format.js",
      headers: { ...ok, "if-none-match": first.headers.etag as string },
    });
    assert.equal(again.statusCode, 304);
  } finally {
    await a.close();
  }
});
