import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { BUILD_STAMP, distIsCurrent, sourceFingerprint } from "../../bin/code-freshness.js";
import {
  bundleDir,
  cacheDir,
  codeModule,
  codeShape,
  packageRoot,
  processEntry,
  resolveHookUrl,
  sourceBuildDir,
  threadRuntime,
} from "../../src/shipping/index.ts";

function withEnv(vars: Record<string, string | undefined>, fn: () => void): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const set = (v: Record<string, string | undefined>) => {
    for (const [k, x] of Object.entries(v))
      if (x === undefined) delete process.env[k];
      else process.env[k] = x;
  };
  set(vars);
  try {
    fn();
  } finally {
    set(saved);
  }
}

test("code location - the cache is FLOWGATE_CACHE_DIR, else XDG_CACHE_HOME/flowgate, else ~/.cache/flowgate", () => {
  withEnv({ FLOWGATE_CACHE_DIR: "/srv/fg-cache", XDG_CACHE_HOME: "/xdg" }, () => {
    assert.equal(cacheDir(), "/srv/fg-cache");
    assert.equal(bundleDir(), "/srv/fg-cache/bundles");
  });
  withEnv({ FLOWGATE_CACHE_DIR: undefined, XDG_CACHE_HOME: "/xdg" }, () =>
    assert.equal(cacheDir(), "/xdg/flowgate"),
  );
  withEnv({ FLOWGATE_CACHE_DIR: undefined, XDG_CACHE_HOME: undefined }, () =>
    assert.equal(cacheDir(), join(homedir(), ".cache/flowgate")),
  );
  withEnv({ FLOWGATE_CACHE_DIR: "rel-cache" }, () =>
    assert.equal(cacheDir(), join(process.cwd(), "rel-cache")),
  );
});

test("code location - from the sources, processes and threads run builds in the checkout's cache", async () => {
  assert.equal(codeShape(), "sources");
  assert.equal(fileURLToPath(packageRoot()), fileURLToPath(new URL("../../", import.meta.url)));
  assert.match(
    codeModule("cluster/worker/task-thread").pathname,
    /\/src\/cluster\/worker\/task-thread\.ts$/,
  );
  const entry = await processEntry();
  assert.ok(entry.startsWith(sourceBuildDir()), entry);
  const runtime = await threadRuntime();
  assert.match(
    runtime.threadModule,
    /thread-runtime-[0-9a-f]{16}\/cluster\/worker\/task-thread\.js$/,
  );
  assert.match(runtime.taskHost, /thread-runtime-[0-9a-f]{16}\/shipping\/bundle-host\.js$/);
  const hook = new URL(runtime.hooks[0]!);
  assert.equal(hook.searchParams.get("ext"), ".js");
  assert.equal(resolveHookUrl().searchParams.get("ext"), ".ts");
});

test("code freshness - dist/ runs only while its stamp matches src/; an install without src/ always runs it", () => {
  const root = mkdtempSync(join(tmpdir(), "flowgate-fresh-"));
  try {
    mkdirSync(join(root, "src"));
    mkdirSync(join(root, "dist"));
    writeFileSync(join(root, "src/index.ts"), "export {};\n");
    assert.equal(distIsCurrent(root), false, "no dist/index.js yet");
    writeFileSync(join(root, "dist/index.js"), "export {};\n");
    assert.equal(distIsCurrent(root), false, "no stamp");
    writeFileSync(join(root, BUILD_STAMP), `${sourceFingerprint(root)}\n`);
    assert.equal(distIsCurrent(root), true);
    const later = new Date(Date.now() + 5000);
    utimesSync(join(root, "src/index.ts"), later, later);
    assert.equal(distIsCurrent(root), false, "a source edited after the build");
    rmSync(join(root, "src"), { recursive: true });
    assert.equal(distIsCurrent(root), true, "installed: no sources");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
