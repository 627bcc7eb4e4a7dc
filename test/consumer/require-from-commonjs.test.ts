import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { distIsCurrent } from "../../bin/code-freshness.js";

// A CommonJS consumer (npm init's default "type", or tsx running a .ts file of such a project)
// loads flowgate with require(): Node >= 20.19 loads ES modules that way, given an export
// condition it matches ("default"; "import" alone is not one).
const root = fileURLToPath(new URL("../../", import.meta.url));

function node(script: string) {
  const r = spawnSync(process.execPath, ["-e", script], {
    cwd: root, // "flowgate" resolves to this package by self-reference, through its exports
    encoding: "utf8",
    env: { ...process.env, FLOWGATE_LOG_LEVEL: "OFF" },
    timeout: 120_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

before(() => {
  if (!distIsCurrent(root)) {
    const built = spawnSync(process.execPath, ["scripts/build.js"], {
      cwd: root,
      encoding: "utf8",
    });
    assert.equal(built.status, 0, built.stderr);
  }
});

test("require('flowgate') runs a flow; require('flowgate/server') loads the gateway server", () => {
  const r = node(`
    const { Flow, task } = require("flowgate");
    const { startGateway } = require("flowgate/server");
    const one = task(function one() { return 1; });
    new Flow("cjs", () => one()).run().then((res) =>
      console.log(res.state.type, res.outputs, typeof startGateway));
  `);
  assert.equal(r.code, 0, r.out);
  assert.match(r.stdout, /^Success 1 function$/m);
});
