import type { Executor } from "../executors/executor.ts";
import type { LogLevel } from "../graph/log-record.ts";
import type { Flow } from "./flow.ts";
import type { FlowRunOptions } from "./flow-run-options.ts";
import type { FlowRunResult, RunPlacement } from "./flow-run-result.ts";

/**
 * One run of an already loaded flow, prepared once by `flow.run()`: its parameters are resolved
 * and checked, its id is chosen and its logging is set up, so an environment only decides
 * where it executes.
 */
export interface PreparedRun<O> {
  readonly flow: Flow<O>;
  readonly flowRunId: string;
  /** Parameter values with defaults filled in. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** The options given to `flow.run()`. */
  readonly options: FlowRunOptions;
  /** Logs a record of the run: printed, passed to `onLog` and kept in the result's logs. */
  log(level: LogLevel, name: string, message: string): void;
  /** Tells the caller where the run executes (`onPlacement`), before its first task. */
  place(placement: RunPlacement): void;
  /**
   * Runs the flow's graph on `executor` (undefined: a LocalExecutor), cancelled by `signal`
   * (default: the run's own). Resolves with the result, whose logs include every record so far.
   */
  execute(executor: Executor | undefined, signal?: AbortSignal): Promise<FlowRunResult<O>>;
}

/**
 * Where a flow's runs execute when no executor is passed to `flow.run()`: an environment
 * provides an executor (and whatever it runs on) around one prepared run.
 */
export interface FlowEnvironment {
  readonly description: string;
  /** Executes one prepared run of a loaded flow; the one entry `flow.run()` and agents call. */
  execute<O>(run: PreparedRun<O>): Promise<FlowRunResult<O>>;
}
