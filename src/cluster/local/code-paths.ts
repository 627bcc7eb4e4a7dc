import { readdirSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** flowgate's install root (this file is src/cluster/local/code-paths.ts). */
export const ROOT = new URL("../../../", import.meta.url);
export const CACHE_DIR = fileURLToPath(new URL("node_modules/.cache/flowgate/", ROOT));
export const BUNDLE_DIR = join(CACHE_DIR, "bundles");
export const THREAD_MODULE = new URL("src/cluster/worker/task-thread.ts", ROOT).href;
/**
 * The module workers load flow bundles with, and the resolve hook their task threads need, as
 * URLs only (the cluster layer never imports flow code; `flowgate worker` passes the same URLs).
 */
export const DEFAULT_TASK_HOST = new URL("src/flow/bundle-host.ts", ROOT).href;
export const DEFAULT_THREAD_HOOKS = [new URL("bin/resolve-flowgate.js", ROOT).href];

/** A fingerprint of the cluster runtime's sources (paths, sizes, mtimes), to cache its precompiled entry. */
export function sourceFingerprint(): string {
  const h = createHash("sha256");
  for (const dir of ["src/cluster", "src/graph"]) walk(fileURLToPath(new URL(dir, ROOT)), h);
  return h.digest("hex").slice(0, 16);
}

function walk(dir: string, h: ReturnType<typeof createHash>): void {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, h);
    else if (e.name.endsWith(".ts")) {
      const s = statSync(p);
      h.update(`${p}:${s.size}:${s.mtimeMs}\n`);
    }
  }
}
