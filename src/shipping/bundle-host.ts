import { pathToFileURL } from "node:url";
import type { TaskHost } from "../graph/index.ts";
import { waitForFlow, FlowTaskHost } from "../flow/index.ts";
import { enterWorkerMode, FLOW_NOT_CONSTRUCTED, onStall } from "./worker-mode.ts";

/**
 * Loads a flow bundle in worker mode (its side effects inert, see worker-mode.ts) and returns a
 * task host for the flow of that name. Cluster workers import this module by URL, so that the
 * cluster layer never imports the flow library itself. Rejects with the import error (for
 * example a missing module), or with an error containing FLOW_NOT_CONSTRUCTED when the module's
 * evaluation ends, or stops at an inert call that never settles, before it constructs the flow.
 */
export async function loadTaskHost(bundlePath: string, flowName: string): Promise<TaskHost> {
  enterWorkerMode();
  let stop = () => {};
  let settled = false;
  const notConstructed = new Promise<never>((_, reject) => {
    const fail = (why: string) =>
      reject(new Error(`flow '${flowName}' ${FLOW_NOT_CONSTRUCTED} (${bundlePath}): ${why}`));
    const loaded = import(pathToFileURL(bundlePath).href);
    loaded.then(
      () => {
        settled = true;
        setTimeout(() => fail("the module's evaluation ended without constructing it"), 0);
      },
      (e: unknown) => {
        settled = true;
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
    stop = onStall(() => {
      if (!settled)
        fail(
          "the module's evaluation stopped, before constructing it, at a call that does nothing on workers (a gateway client call)",
        );
    });
  });
  notConstructed.catch(() => {});
  try {
    const flow = await Promise.race([waitForFlow(flowName), notConstructed]);
    return new FlowTaskHost(flow.graph.tasks);
  } finally {
    stop();
  }
}
