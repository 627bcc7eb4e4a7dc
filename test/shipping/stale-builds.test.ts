import assert from "node:assert/strict";
import { existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { sourceBuildDir } from "../../src/shipping/code-location.ts";
import { removeStaleBuilds } from "../../src/shipping/stale-builds.ts";

const CACHE_DIR = sourceBuildDir();

test("stale builds - day-old builds of other sources go, the current and recent ones stay", () => {
  mkdirSync(CACHE_DIR, { recursive: true });
  const prefix = `stale-test-${process.pid}-`;
  const path = (n: string) => join(CACHE_DIR, prefix + n);
  const old = new Date(Date.now() - 2 * 24 * 3600_000);
  for (const n of ["old.mjs", "current.mjs", "recent.mjs"]) writeFileSync(path(n), "");
  mkdirSync(path("old-dir"));
  writeFileSync(join(path("old-dir"), "index.js"), "");
  for (const n of ["old.mjs", "current.mjs", "old-dir"]) utimesSync(path(n), old, old);
  removeStaleBuilds(prefix, prefix + "current.mjs");
  assert.deepEqual(
    ["old.mjs", "old-dir", "current.mjs", "recent.mjs"].map((n) => existsSync(path(n))),
    [false, false, true, true],
  );
  removeStaleBuilds(prefix, "");
  for (const n of ["current.mjs", "recent.mjs"])
    assert.equal(existsSync(path(n)), n === "recent.mjs");
  removeStaleBuilds(prefix, "x"); // nothing old left: a no-op
  assert.equal(existsSync(path("recent.mjs")), true);
  utimesSync(path("recent.mjs"), old, old);
  removeStaleBuilds(prefix, "");
});
