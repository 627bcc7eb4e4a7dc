// The code-shipping pieces agents and registration use, imported in one place: the cluster
// layer's bundler (the module a cluster ships), loading a flow file with its own runs
// suppressed, and flowgate's cache folder.
import { join } from "node:path";
import { CACHE_DIR } from "../cluster/local/code-paths.ts";

export { bundleFlow } from "../cluster/client/bundler.ts";
export { importFlowFile } from "../flow/worker-mode.ts";

/** Where an agent keeps the bundles it fetched, by the sha256 of their bytes. */
export function agentBundleDir(): string {
  return join(CACHE_DIR, "agent-bundles");
}
