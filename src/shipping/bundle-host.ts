import { pathToFileURL } from "node:url";
import type { TaskHost } from "../graph/task-host.ts";
import { waitForFlow } from "../flow/flow.ts";
import { FlowTaskHost } from "../flow/task-host.ts";
import { enterWorkerMode } from "./worker-mode.ts";

/**
 * Loads a flow bundle in worker mode (its `flow.run()` calls do nothing) and returns a task host
 * for the flow of that name. Cluster workers import this module by URL, so that the cluster
 * layer never imports the flow library itself. Rejects with the import error (for example a
 * missing module) when the bundle cannot load.
 */
export async function loadTaskHost(bundlePath: string, flowName: string): Promise<TaskHost> {
  enterWorkerMode();
  const loaded = import(pathToFileURL(bundlePath).href);
  // A bundle that awaits flow.run() at top level never finishes importing in worker mode, so
  // the flow's construction, not the end of the import, says the bundle is ready.
  const flow = await Promise.race([
    loaded.then(() => waitForFlowOrFail(flowName, bundlePath)),
    waitForFlow(flowName),
  ]);
  return new FlowTaskHost(flow.graph.tasks);
}

async function waitForFlowOrFail(name: string, bundlePath: string) {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`bundle ${bundlePath} loaded but constructs no flow named '${name}'`)),
      0,
    ).unref(),
  );
  return Promise.race([waitForFlow(name), timeout]);
}
