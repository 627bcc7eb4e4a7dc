import type { Command } from "commander";
import { resolve } from "node:path";
import { loadFlowFile } from "../load-flow-file.ts";
import { parseParams } from "../parse-params.ts";
import { printRunSummary } from "../run-summary.ts";
import { ProgressDisplay, displayOutput } from "../progress-display.ts";
import { resolveLogLevel, shows } from "../log-level.ts";
import {
  checkExecutionFlags,
  chooseExecution,
  executionOptions,
  type ExecutionFlags,
} from "../choose-execution.ts";

interface RunFlags extends ExecutionFlags {
  param: string[];
  paramFile?: string;
  quiet?: boolean;
  progress: boolean;
  logLevel?: string;
}

/** `flowgate run <file>`: runs a flow file where the flags say and prints its summary. */
export function registerRun(program: Command): void {
  const cmd = program
    .command("run")
    .description("run a flow file (TypeScript) and print its task states and result")
    .argument("<file>", "flow file: its default export, or an export named `flow`, is run")
    .option(
      "-p, --param <name=value>",
      "a parameter value: JSON if it parses, else the text, e.g. --param x='[1,2,3]' --param name=alice (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option("--param-file <file>", "parameter values from a JSON object; --param entries win")
    .option("-q, --quiet", "print only the summary, not the run's logs or progress")
    .option("--no-progress", "do not show progress per task");
  executionOptions(cmd).action(async (file: string, _flags: unknown, self: Command) => {
    const flags = self.optsWithGlobals<RunFlags>();
    const level = flags.quiet ? "OFF" : resolveLogLevel(flags.logLevel);
    checkExecutionFlags(flags);
    const parameters = parseParams(flags.param, flags.paramFile);
    const path = resolve(file);
    const flow = await loadFlowFile(file);
    const showProgress = flags.progress && !flags.quiet;
    const display = new ProgressDisplay(
      showProgress ? await displayOutput() : { stream: process.stderr },
      showProgress,
      (r) => shows(level, r.level),
    );
    const execution = await chooseExecution(flags, (line) => {
      if (shows(level, "INFO")) display.line(line);
    });
    try {
      const result = await execution.run(flow, {
        parameters,
        printLogs: false,
        onLog: display.log,
        onProgress: display.update,
      });
      display.finish();
      printRunSummary(result, { flowFile: path, debug: level === "DEBUG" });
      process.exitCode = result.state.type === "Success" ? 0 : 1;
    } finally {
      display.finish();
      await execution.close();
    }
  });
}
