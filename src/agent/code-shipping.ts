// The code-shipping pieces agents and registration use, imported in one place: the cluster
// layer's bundler (the module a cluster ships), loading a flow file with its own runs
// suppressed, and flowgate's cache folder.
import { join } from "node:path";
import { cacheDir } from "../shipping/index.ts";

export { bundleFlow, importFlowFile } from "../shipping/index.ts";

/** Where an agent keeps the bundles it fetched, by the sha256 of their bytes. */
export function agentBundleDir(): string {
  return join(cacheDir(), "agent-bundles");
}
