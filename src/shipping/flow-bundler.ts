import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "esbuild";
import { BundleBuildError } from "./errors.ts";
import { codeDir } from "./code-location.ts";

/** flowgate's own code folder: files in it stay external, as "flowgate/src/<path>". */
const FLOWGATE_SRC = resolve(fileURLToPath(codeDir()));

const keepFlowgateExternal: Plugin = {
  name: "flowgate-external",
  setup(b) {
    b.onResolve({ filter: /^flowgate(\/.*)?$/ }, (args) => ({ path: args.path, external: true }));
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const abs = resolve(args.resolveDir, args.path);
      if (!abs.startsWith(FLOWGATE_SRC + sep)) return undefined;
      return {
        path: `flowgate/src/${relative(FLOWGATE_SRC, abs).split(sep).join("/")}`,
        external: true,
      };
    });
  },
};

export interface FlowBundle {
  readonly hash: string;
  readonly code: Buffer;
}

/** A bundling of a file: its promise, and the bundle once built (for builtBundle). */
interface Bundling {
  readonly promise: Promise<FlowBundle>;
  bundle?: FlowBundle;
}

const cache = new Map<string, Bundling>();

/**
 * Bundles a flow's entry file into one ESM module (esbuild, platform node). flowgate itself and
 * npm packages stay external (they come from the worker's environment). The hash of the output
 * names the bundle. Throws BundleBuildError when the file is missing or does not compile.
 */
export function bundleFlow(sourceFile: string): Promise<FlowBundle> {
  let b = cache.get(sourceFile);
  if (!b) {
    const bundling: Bundling = (b = { promise: doBundle(sourceFile) });
    cache.set(sourceFile, bundling);
    bundling.promise.then(
      (bundle) => {
        bundling.bundle = bundle;
        // Rebuild on a call after this in case the file changes; the hash keeps workers' caches right.
        setTimeout(() => cache.delete(sourceFile), 2000).unref();
      },
      () => cache.delete(sourceFile),
    );
  }
  return b.promise;
}

/** What `bundleFlow(sourceFile)` would give at once, if it is built and still fresh. */
export function builtBundle(sourceFile: string): FlowBundle | undefined {
  return cache.get(sourceFile)?.bundle;
}

async function doBundle(sourceFile: string): Promise<FlowBundle> {
  const prebuilt = await prebuiltBundle(sourceFile);
  if (prebuilt) return prebuilt;
  try {
    const { build } = await import("esbuild");
    const out = await build({
      entryPoints: [sourceFile],
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: "node20",
      packages: "external",
      // task keys come from function names, which esbuild would otherwise rename on clashes
      keepNames: true,
      plugins: [keepFlowgateExternal],
      logLevel: "silent",
    });
    const code = Buffer.from(out.outputFiles[0]!.contents);
    return { hash: createHash("sha256").update(code).digest("hex").slice(0, 32), code };
  } catch (e) {
    throw new BundleBuildError(
      `could not bundle flow file ${sourceFile}: ${e instanceof Error ? e.message : String(e)}; fix the file so that esbuild can compile it`,
      { cause: e },
    );
  }
}

/**
 * A file that is already a bundle (named by the sha256 of its bytes, as an agent stores the
 * bundle a flow was registered with) ships as it is, so the cluster runs the registered module.
 */
async function prebuiltBundle(file: string): Promise<FlowBundle | undefined> {
  const m = /^([0-9a-f]{64})\.mjs$/.exec(basename(file));
  if (!m) return undefined;
  const code = await readFile(file).catch(() => undefined);
  if (!code) return undefined;
  const sha = createHash("sha256").update(code).digest("hex");
  return sha === m[1] ? { hash: sha.slice(0, 32), code } : undefined;
}
