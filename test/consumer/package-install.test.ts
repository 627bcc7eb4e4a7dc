import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { distIsCurrent } from "../../bin/code-freshness.js";
import { eventually } from "../support/processes.ts";

// flowgate as its users get it (issue 10): `npm pack`, installed into a fresh project outside
// this repository, used from plain Node, type-checked by a strict consumer, and run by its CLI.
const root = fileURLToPath(new URL("../../", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const LONG = 20 * 60_000; // npm install of ~150 packages on a busy 2-core machine

function sh(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, FLOWGATE_LOG_LEVEL: "OFF", ...env },
    timeout: LONG,
  });
  return { code: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}`, stdout: r.stdout ?? "" };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

describe("flowgate as an installed package", { timeout: LONG }, () => {
  let scratch: string;
  let project: string;
  let cache: string;
  let shipped: string[];
  const env = () => ({ FLOWGATE_CACHE_DIR: cache });

  before(async () => {
    if (!distIsCurrent(root)) {
      const built = sh(process.execPath, [join(root, "scripts/build.js")], root);
      assert.equal(built.code, 0, built.out);
    }
    scratch = mkdtempSync(join(tmpdir(), "flowgate-consumer-"));
    project = join(scratch, "project");
    cache = join(scratch, "cache");
    mkdirSync(project);
    const packed = sh("npm", ["pack", "--ignore-scripts", "--pack-destination", scratch], root);
    assert.equal(packed.code, 0, packed.out);
    const tarball = join(scratch, packed.stdout.trim().split("\n").at(-1)!);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }),
    );
    const installed = sh(
      "npm",
      ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", tarball],
      project,
    );
    assert.equal(installed.code, 0, installed.out);
    for (const name of ["app.mjs", "consumer.ts", "flow.ts", "where.ts", "tsconfig.json"])
      writeFileSync(join(project, name), readFileSync(fixture(name)));
    shipped = files(join(project, "node_modules/flowgate"));
  });
  after(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test("the tarball ships compiled JavaScript, declarations and the CLI, not tests or sources", () => {
    assert.ok(shipped.includes("dist/index.js") && shipped.includes("dist/index.d.ts"));
    assert.ok(shipped.includes("bin/flowgate.js"));
    for (const f of shipped) assert.doesNotMatch(f, /^(src|test|bench|\.ci)\//, f);
  });

  test("plain Node imports flowgate and runs times-two on a LocalExecutor and a LocalCluster", async () => {
    const r = sh(process.execPath, ["app.mjs"], project, env());
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /^local 90$/m);
    assert.match(r.stdout, /^cluster 90$/m);
    const pids = JSON.parse(/^pids (.*)$/m.exec(r.stdout)![1]!) as number[];
    await eventually("the app's cluster processes are gone", () => !pids.some(alive));
    // Caches go to FLOWGATE_CACHE_DIR, never into the (possibly read-only) package.
    assert.ok(readdirSync(join(cache, "bundles")).length > 0, "the workers' bundle cache");
    assert.deepEqual(files(join(project, "node_modules/flowgate")), shipped);
  });

  test("a strict nodenext consumer type-checks with skipLibCheck false: 0 errors", () => {
    const r = sh(process.execPath, [tsc, "-p", "tsconfig.json"], project);
    assert.equal(r.code, 0, r.out);
    assert.equal(r.out.trim(), "");
  });

  test("npx flowgate runs a TypeScript flow file of the project", () => {
    const r = sh(
      "npx",
      ["--no", "flowgate", "run", "flow.ts", "-q", "-p", "x=[0,1,2,3,4,5,6,7,8,9]"],
      project,
      env(),
    );
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /Result: 90/);
    const v = sh("npx", ["--no", "flowgate", "--help"], project);
    assert.equal(v.code, 0, v.out);
  });

  test("task threads of the installed CLI's cluster run its compiled JavaScript, no TypeScript source", () => {
    const r = sh(
      "npx",
      ["--no", "flowgate", "run", "where.ts", "-q", "--cluster", "local:1"],
      project,
      env(),
    );
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /node_modules\/flowgate\/dist\/cluster\/worker\/task-runner\.js/);
    assert.doesNotMatch(r.stdout, /\.ts:\d+/);
  });
});
