import type { Command } from "commander";
import type { Executor } from "../executors/executor.ts";
import { LocalExecutor } from "../executors/local-executor.ts";
import { UsageError } from "./usage-error.ts";

export interface ExecutionFlags {
  executor?: string;
}

export interface Execution {
  /** undefined: the flow's own environment decides */
  readonly executor: Executor | undefined;
  readonly signal: AbortSignal;
  close(): Promise<void>;
}

/** Adds the flags that choose where a flow runs. */
export function executionOptions(cmd: Command): Command {
  return cmd.option("--executor <name>", "run in this process: local");
}

/** Turns the command line's choice of executor into an executor and its clean-up. */
export async function chooseExecution(flags: ExecutionFlags): Promise<Execution> {
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error("interrupted"));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const detach = async () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  if (flags.executor !== undefined && flags.executor !== "local")
    throw new UsageError(`--executor ${flags.executor} is not known; use --executor local`);
  return {
    executor: flags.executor === "local" ? new LocalExecutor() : undefined,
    signal: controller.signal,
    close: detach,
  };
}
