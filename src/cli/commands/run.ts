import type { Command } from "commander";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Flow, lastConstructedFlow } from "../../flow/flow.ts";
import { importFlowFile } from "../../shipping/worker-mode.ts";
import { UsageError } from "../usage-error.ts";
import { parseParams } from "../parse-params.ts";
import { printRunSummary } from "../run-summary.ts";
import { ProgressDisplay } from "../progress-display.ts";
import { chooseExecution, executionOptions, type ExecutionFlags } from "../choose-execution.ts";

interface RunFlags extends ExecutionFlags {
  param: string[];
  quiet?: boolean;
  progress: boolean;
}

export function registerRun(program: Command): void {
  const cmd = program
    .command("run")
    .description("run a flow file (TypeScript) and print its task states and result")
    .argument("<file>", "flow file: its default export, or an export named `flow`, is run")
    .option(
      "-p, --param <name=json>",
      "a parameter value as JSON, e.g. --param x='[1,2,3]' (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option("-q, --quiet", "print only the summary, not the run's logs")
    .option("--no-progress", "do not show progress per task");
  executionOptions(cmd).action(async (file: string, flags: RunFlags) => {
    const parameters = parseParams(flags.param);
    const flow = await loadFlow(file);
    const execution = await chooseExecution(flags);
    try {
      const progress = flags.progress && !flags.quiet ? new ProgressDisplay() : undefined;
      const result = await execution.run(flow, {
        parameters,
        printLogs: flags.quiet ? false : undefined,
        onProgress: progress?.update,
      });
      progress?.finish();
      printRunSummary(result);
      process.exitCode = result.state.type === "Success" ? 0 : 1;
    } finally {
      await execution.close();
    }
  });
}

async function loadFlow(file: string): Promise<Flow<unknown>> {
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
