import { existsSync, mkdirSync, renameSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sourceBuildDir, codeModule, codeShape, rootBanner } from "./code-location.ts";
import { sourceFingerprint } from "./source-fingerprint.ts";
import { removeStaleBuilds } from "./stale-builds.ts";

let built: Promise<string> | undefined;

/**
 * The path of the script scheduler and worker processes start from: dist/'s
 * cluster/process/process-entry.js when flowgate runs compiled; from the sources, that module
 * bundled by esbuild into the cache, built on first use and named by a fingerprint of the
 * sources (Node starts it in ~50 ms, where tsx would take ~400 ms).
 */
export function processEntry(): Promise<string> {
  const entry = fileURLToPath(codeModule("cluster/process/process-entry"));
  if (codeShape() === "dist") return Promise.resolve(entry);
  return (built ??= (async () => {
    const dir = sourceBuildDir();
    const out = join(
      dir,
      `cluster-entry-${sourceFingerprint(["src/cluster", "src/graph", "src/common", "src/shipping"])}.mjs`,
    );
    if (existsSync(out)) return out;
    mkdirSync(dir, { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    const { build } = await import("esbuild");
    await build({
      entryPoints: [entry],
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      packages: "external",
      outfile: tmp,
      banner: { js: rootBanner() },
      logLevel: "silent",
    });
    renameSync(tmp, out);
    removeStaleBuilds("cluster-entry-", basename(out), dir);
    return out;
  })());
}
