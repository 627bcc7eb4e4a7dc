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

export { sourceFingerprint } from "../../../bin/cluster-entry.js";
