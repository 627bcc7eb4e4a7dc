import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  CACHE_DIR,
  DEFAULT_TASK_HOST,
  DEFAULT_THREAD_HOOKS,
  ROOT,
  THREAD_MODULE,
  sourceFingerprint,
} from "./code-paths.ts";
import { removeStaleBuilds } from "./stale-builds.ts";

/** What a worker's task threads load: URLs for `--thread-module`, `--task-host`, `--thread-hook`. */
export interface ThreadRuntime {
  readonly threadModule: string;
  readonly taskHost: string;
  readonly hooks: readonly string[];
}

/** flowgate's TypeScript sources, which task threads compile with tsx when nothing better exists. */
export const SOURCE_RUNTIME: ThreadRuntime = {
  threadModule: THREAD_MODULE,
  taskHost: DEFAULT_TASK_HOST,
  hooks: DEFAULT_THREAD_HOOKS,
};

const SRC = fileURLToPath(new URL("src/", ROOT));
let built: Promise<ThreadRuntime> | undefined;

/**
 * flowgate's sources precompiled for task threads, built on first use and cached by a
 * fingerprint of src/. Under tsx each new thread spent ~280 ms compiling flowgate before its
 * first task, and every flow run gets fresh workers. Every source file is an entry (esbuild code
 * splitting keeps one instance of each module), so "flowgate", "flowgate/internal" and the
 * "flowgate/src/…" deep imports of flow bundles all resolve into it.
 */
export function threadRuntime(): Promise<ThreadRuntime> {
  return (built ??= (async () => {
    const dir = join(CACHE_DIR, `thread-runtime-${sourceFingerprint(["src"])}`);
    if (!existsSync(join(dir, "index.js"))) {
      await buildInto(dir);
      removeStaleBuilds("thread-runtime-", basename(dir));
    }
    const at = (path: string) => pathToFileURL(join(dir, path)).href;
    const hook = new URL("bin/resolve-flowgate.js", ROOT);
    hook.searchParams.set("runtime", dir);
    return {
      threadModule: at("cluster/worker/task-thread.js"),
      taskHost: at("flow/bundle-host.js"),
      hooks: [hook.href],
    };
  })());
}

/** threadRuntime(), or SOURCE_RUNTIME (told to `onError`) when it cannot be built. */
export function threadRuntimeOrSources(
  onError: (e: unknown) => void = () => {},
): Promise<ThreadRuntime> {
  return threadRuntime().catch((e: unknown) => {
    onError(e);
    return SOURCE_RUNTIME;
  });
}

async function buildInto(dir: string): Promise<void> {
  const { build } = await import("esbuild");
  const tmp = `${dir}.${process.pid}.tmp`;
  await build({
    entryPoints: sourceFiles(SRC),
    outbase: SRC,
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    // error classes and tasks are known by their names
    keepNames: true,
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
