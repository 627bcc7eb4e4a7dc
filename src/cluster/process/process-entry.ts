import { runClusterProcess } from "./cluster-process.ts";

/**
 * Lean entry for scheduler and worker processes: precompiled by esbuild (lean-entry.ts), it
 * starts in a fraction of the time the full CLI under tsx takes. `flowgate scheduler|worker`
 * and LocalCluster start it.
 */
// Started by LocalCluster with a stdin pipe: when the parent dies the pipe closes, and so do we.
if (process.env.FLOWGATE_EXIT_WITH_PARENT === "1") {
  process.stdin.on("close", () => process.kill(process.pid, "SIGTERM"));
  process.stdin.on("end", () => process.kill(process.pid, "SIGTERM"));
  process.stdin.resume();
}
await runClusterProcess(process.argv.slice(2));
