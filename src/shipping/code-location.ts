import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where flowgate's own code is, the one answer every other module asks for.
 *
 * flowgate runs in one of two shapes:
 * - **dist**: compiled JavaScript (an installed package, or a checkout after `npm run build`):
 *   this file is `<root>/dist/shipping/code-location.js`, and worker threads and cluster
 *   processes load `<root>/dist/…` directly;
 * - **sources**: TypeScript under tsx (this repository's tests and benchmarks): this file is
 *   `<root>/src/shipping/code-location.ts`, and cluster processes and task threads run esbuild
 *   builds of `src/` kept in the cache (see process-entry-build.ts and thread-runtime.ts).
 *   Those builds carry a banner naming the root, because their own URL is inside the cache.
 */
export type CodeShape = "dist" | "sources";

const ROOT_KEY = Symbol.for("flowgate.packageRoot");

/** The banner that esbuild builds of the sources carry, so that their code finds the root. */
export function rootBanner(root: URL = packageRoot()): string {
  return `globalThis[Symbol.for("flowgate.packageRoot")] ??= ${JSON.stringify(root.href)};`;
}

const bannerRoot = (globalThis as Record<symbol, unknown>)[ROOT_KEY];
const selfUrl = import.meta.url;
const SHAPE: CodeShape =
  typeof bannerRoot === "string" || selfUrl.endsWith(".ts") ? "sources" : "dist";
const ROOT =
  typeof bannerRoot === "string" && !selfUrl.endsWith(".ts")
    ? new URL(bannerRoot)
    : new URL("../../", selfUrl);

/** flowgate's package root (the folder with its package.json), as a file URL ending in "/". */
export function packageRoot(): URL {
  return ROOT;
}

/** Whether this process runs flowgate's compiled JavaScript or its TypeScript sources. */
export function codeShape(): CodeShape {
  return SHAPE;
}

/** The folder of the code that is running: `<root>/dist/` or `<root>/src/` (a URL). */
export function codeDir(): URL {
  return new URL(SHAPE === "dist" ? "dist/" : "src/", ROOT);
}

/**
 * The URL of one of flowgate's modules, named by its path under src/ without extension
 * (e.g. "cluster/worker/task-thread"), in the shape that is running. Non-code files (the
 * dashboards' static files) are copied into dist/ by the build, so `codeFile` finds those too.
 */
export function codeModule(path: string): URL {
  return new URL(`${path}${SHAPE === "dist" ? ".js" : ".ts"}`, codeDir());
}

/** A file under the running code folder (for example a dashboard's static file). */
export function codeFile(path: string): URL {
  return new URL(path, codeDir());
}

/**
 * flowgate's cache folder: `$FLOWGATE_CACHE_DIR`, else `$XDG_CACHE_HOME/flowgate`, else
 * `~/.cache/flowgate`. Flow bundles workers fetched live there, and, when running from the
 * sources, the precompiled builds of them. Never inside the package, so a read-only install
 * works. A relative FLOWGATE_CACHE_DIR is taken from the current directory.
 */
export function cacheDir(): string {
  const own = process.env.FLOWGATE_CACHE_DIR;
  if (own) return isAbsolute(own) ? own : join(process.cwd(), own);
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), ".cache"), "flowgate");
}

/**
 * Where builds of flowgate's own sources are kept when it runs from a checkout:
 * `<root>/node_modules/.cache/flowgate`, inside the checkout, because those builds leave npm
 * packages external and import them from the checkout's node_modules. Compiled flowgate (dist)
 * builds nothing.
 */
export function sourceBuildDir(): string {
  return fileURLToPath(new URL("node_modules/.cache/flowgate/", ROOT));
}

/** Where workers keep the flow bundles they fetched, named by content hash. */
export function bundleDir(): string {
  return join(cacheDir(), "bundles");
}

/**
 * The module resolve hook (bin/resolve-flowgate.js) set up to resolve "flowgate" to the code in
 * `code` (a folder path whose modules end in `ext`): by default the code that is running.
 */
export function resolveHookUrl(
  code: string = fileURLToPath(codeDir()),
  ext: ".js" | ".ts" = SHAPE === "dist" ? ".js" : ".ts",
): URL {
  const hook = new URL("bin/resolve-flowgate.js", ROOT);
  hook.searchParams.set("code", code);
  hook.searchParams.set("ext", ext);
  return hook;
}
