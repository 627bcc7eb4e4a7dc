import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Flow, lastConstructedFlow } from "../flow/index.ts";
import { importFlowFile } from "../shipping/index.ts";
import { UsageError } from "./usage-error.ts";

/**
 * Imports a flow file (its own `flow.run()` calls suppressed) and returns its flow: the default
 * export, else an export named `flow`, else the flow it constructed last. UsageError otherwise.
 */
export async function loadFlowFile(file: string): Promise<Flow<unknown>> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`flow file ${file} does not exist`);
  let mod: Record<string, unknown> | undefined;
  try {
    mod = await importFlowFile(pathToFileURL(path).href);
  } catch (e) {
    throw new UsageError(
      `could not load flow file ${file}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const flow =
    mod === undefined
      ? lastConstructedFlow()
      : mod.default instanceof Flow
        ? mod.default
        : mod.flow;
  if (!(flow instanceof Flow))
    throw new UsageError(
      `${file} exports no flow; export it as the default export or as \`export const flow = new Flow(…)\``,
    );
  return flow as Flow<unknown>;
}
