import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Flow } from "../flow/index.ts";
import { FlowFileError } from "./errors.ts";

/**
 * Imports a flow file (its own `flow.run()` calls suppressed) and returns its flow: the default
 * export, else an export named `flow`, else the flow it constructed last. The flow library is
 * loaded only now (`run --help` needs none of it). Throws FlowFileError otherwise.
 */
export async function loadFlowFile(file: string): Promise<Flow<unknown>> {
  const path = resolve(file);
  if (!existsSync(path)) throw new FlowFileError(file, "does not exist; check the path");
  const [{ Flow, lastConstructedFlow }, { importFlowFile }] = await Promise.all([
    import("../flow/index.ts"),
    import("../shipping/index.ts"),
  ]);
  let mod: Record<string, unknown> | undefined;
  try {
    mod = await importFlowFile(pathToFileURL(path).href);
  } catch (e) {
    throw new FlowFileError(
      file,
      `could not be loaded: ${e instanceof Error ? e.message : String(e)}; fix the file (--log-level DEBUG shows where)`,
      { cause: e },
    );
  }
  const flow =
    mod === undefined
      ? lastConstructedFlow()
      : mod.default instanceof Flow
        ? mod.default
        : mod.flow;
  if (!(flow instanceof Flow))
    throw new FlowFileError(
      file,
      "exports no flow; export it as the default export or as `export const flow = new Flow(…)`",
    );
  return flow as Flow<unknown>;
}
