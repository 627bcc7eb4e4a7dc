// Which of flowgate's code a checkout runs: dist/ (compiled by `npm run build`) when it was
// built from the sources as they are now, else the TypeScript sources under tsx. An installed
// package has no src/, so it always runs dist/. Plain JavaScript with no location of its own
// (callers pass the package root), so that bin/flowgate.js decides before loading anything.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** The file `npm run build` writes into dist/: the fingerprint of src/ it compiled. */
export const BUILD_STAMP = "dist/.sources-fingerprint";

function walk(root, dir, hash) {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(root, p, hash);
    else if (e.isFile()) {
      const s = statSync(p);
      // Relative paths, so that a copy made with its mtimes (an image) keeps the fingerprint.
      hash.update(`${relative(root, p)}:${s.size}:${s.mtimeMs}\n`);
    }
  }
}

/**
 * A fingerprint of the files under `dirs` of the package at `root` (relative paths, sizes,
 * mtimes): it changes whenever a source file is edited, added or removed.
 */
export function sourceFingerprint(root, dirs = ["src"]) {
  const hash = createHash("sha256");
  for (const dir of dirs) walk(root, join(root, dir), hash);
  return hash.digest("hex").slice(0, 16);
}

/** Whether the package at `root` should run dist/: it has one, and it is not older than src/. */
export function distIsCurrent(root) {
  if (!existsSync(join(root, "dist/index.js"))) return false;
  if (!existsSync(join(root, "src"))) return true;
  try {
    return readFileSync(join(root, BUILD_STAMP), "utf8").trim() === sourceFingerprint(root);
  } catch {
    return false;
  }
}
