import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { sourceBuildDir } from "./code-location.ts";

/** Builds older than this are not in use by a process of an earlier version of the sources. */
const STALE_MS = 24 * 3600_000;

/**
 * Removes the cache's builds named `<prefix>…` other than `keep` that are over a day old: each
 * change of flowgate's sources makes new ones, and nothing else would ever remove the old.
 */
export function removeStaleBuilds(
  prefix: string,
  keep: string,
  dir: string = sourceBuildDir(),
): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix) || name === keep) continue;
    const path = join(dir, name);
    try {
      if (now - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed meanwhile by another process
    }
  }
}
