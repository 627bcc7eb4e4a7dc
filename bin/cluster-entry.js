// Where the precompiled scheduler/worker entry lives: src/cluster/process/process-entry.ts bundled
// by esbuild into node_modules/.cache/flowgate/, named by a fingerprint of the runtime's sources.
// Plain JavaScript so that `flowgate scheduler|worker` can find it without loading tsx: Node
// starts the bundle in ~50 ms where the CLI under tsx takes ~400 ms.
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
export const cacheDir = join(root, "node_modules/.cache/flowgate");

function walk(dir, hash) {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, hash);
    else if (e.name.endsWith(".ts")) {
      const s = statSync(p);
      // Relative paths, so that a copy made with its mtimes (an image) keeps the fingerprint.
      hash.update(`${relative(root, p)}:${s.size}:${s.mtimeMs}\n`);
    }
  }
}

/** A fingerprint of the sources under `dirs` (paths, sizes, mtimes); by default the cluster runtime's. */
export function sourceFingerprint(dirs = ["src/cluster", "src/graph", "src/common"]) {
  const hash = createHash("sha256");
  for (const dir of dirs) walk(join(root, dir), hash);
  return hash.digest("hex").slice(0, 16);
}

/** The path the precompiled entry has (or will have) for the current sources. */
export function clusterEntryPath() {
  return join(cacheDir, `cluster-entry-${sourceFingerprint()}.mjs`);
}
