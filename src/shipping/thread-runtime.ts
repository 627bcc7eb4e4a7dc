import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  codeDir,
  codeModule,
  codeShape,
  resolveHookUrl,
  rootBanner,
  sourceBuildDir,
} from "./code-location.ts";
import { sourceFingerprint } from "./source-fingerprint.ts";
import { removeStaleBuilds } from "./stale-builds.ts";

/** What a worker's task threads load: URLs for `--thread-module`, `--task-host`, `--thread-hook`. */
export interface ThreadRuntime {
  readonly threadModule: string;
  readonly taskHost: string;
  readonly hooks: readonly string[];
}

/**
 * The code that is running, as task threads load it: dist/ when flowgate runs compiled; from
 * the sources, the TypeScript itself (threads then compile it with tsx, which is slow: only the
 * fallback when the precompiled build cannot be made).
 */
export function runningRuntime(): ThreadRuntime {
  return {
    threadModule: codeModule("cluster/worker/task-thread").href,
    taskHost: codeModule("shipping/bundle-host").href,
    hooks: [resolveHookUrl().href],
  };
}

let built: Promise<ThreadRuntime> | undefined;

/**
 * The JavaScript task threads run: dist/ when flowgate runs compiled; from the sources, src/
 * precompiled by esbuild into the checkout's build cache, built on first use and named by a
 * fingerprint of src/ (under tsx each new thread spent ~280 ms compiling flowgate before its
 * first task). Every source file is an entry (esbuild code splitting keeps one instance of each
 * module), so "flowgate", "flowgate/internal" and the "flowgate/src/…" deep imports of flow
 * bundles all resolve into it.
 */
export function threadRuntime(): Promise<ThreadRuntime> {
  if (codeShape() === "dist") return Promise.resolve(runningRuntime());
  return (built ??= (async () => {
    const cache = sourceBuildDir();
    const dir = join(cache, `thread-runtime-${sourceFingerprint(["src"])}`);
    if (!existsSync(join(dir, "index.js"))) {
      await buildInto(dir);
      removeStaleBuilds("thread-runtime-", basename(dir), cache);
    }
    const at = (path: string) => pathToFileURL(join(dir, path)).href;
    return {
      threadModule: at("cluster/worker/task-thread.js"),
      taskHost: at("shipping/bundle-host.js"),
      hooks: [resolveHookUrl(dir, ".js").href],
    };
  })());
}

/** threadRuntime(), or runningRuntime() (told to `onError`) when it cannot be built. */
export function threadRuntimeOrSources(
  onError: (e: unknown) => void = () => {},
): Promise<ThreadRuntime> {
  return threadRuntime().catch((e: unknown) => {
    onError(e);
    return runningRuntime();
  });
}

async function buildInto(dir: string): Promise<void> {
  const { build } = await import("esbuild");
  const src = fileURLToPath(codeDir());
  const tmp = `${dir}.${process.pid}.tmp`;
  await build({
    entryPoints: sourceFiles(src),
    outbase: src,
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    // error classes and tasks are known by their names
    keepNames: true,
    banner: { js: rootBanner() },
    logLevel: "silent",
  });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process built it first
  }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => join(e.parentPath, e.name));
}
