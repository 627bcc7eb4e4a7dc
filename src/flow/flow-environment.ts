import type { Executor, TaskRunUpdate } from "../executors/index.ts";
import type { LogLevel, LogRecord, TaskProgress } from "../graph/index.ts";
import type { BuiltGraph } from "./flow-builder.ts";
import type { FlowRunResult, RunPlacement } from "./flow-run-result.ts";

/**
 * What a prepared run, the runner and environments read of a flow; `Flow` implements it. (The
 * run's types refer to this, not to `Flow`, so that flow.ts and these types do not import each
 * other.)
 */
export interface RunnableFlow {
  readonly name: string;
  /** The module file the flow was constructed in, which clusters bundle and ship. */
  readonly sourceFile: string | undefined;
  /** The flow's task graph, built on first use. */
  readonly graph: BuiltGraph;
}

/** The options of `flow.run()`. */
export interface FlowRunOptions {
  /** Values of the flow's parameters by name. */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** Runs on this executor, ignoring the flow's environment. @default the environment, else LocalExecutor */
  readonly executor?: Executor;
  /**
   * Runs through this environment instead of the flow's own (ignored when `executor` is given).
   * @default the flow's environment
   */
  readonly environment?: FlowEnvironment;
  /** Cancels the run: unfinished tasks end Cancelled. */
  readonly signal?: AbortSignal;
  /** Receives every log record as it happens. */
  readonly onLog?: (record: LogRecord) => void;
  /**
   * Prints log records at this level and above to stderr; false prints none.
   * @default process.env.FLOWGATE_LOG_LEVEL, else "INFO"
   */
  readonly printLogs?: LogLevel | false;
  /**
   * Which task results come back: all, or only the flow's outputs and reference tasks (cheaper
   * on a cluster for large maps).
   * @default "all"
   */
  readonly keepResults?: "all" | "outputs";
  /** Called with every task's progress while the run goes on (see `TaskProgress`). */
  readonly onProgress?: (progress: readonly TaskProgress[]) => void;
  /**
   * Called with the task runs whose state changed, batched (every ~200 ms and once before the
   * run's result), each in its latest state with its start and end times and, on a cluster, its
   * worker (see `TaskRunUpdate`). The result's task states remain the exact final ones.
   */
  readonly onTaskRuns?: (updates: readonly TaskRunUpdate[]) => void;
  /** Called when the environment knows where the run executes (its cluster), before any task. */
  readonly onPlacement?: (placement: RunPlacement) => void;
  /** Called when the first task run starts. */
  readonly onFirstTaskStarted?: () => void;
}

/**
 * One run of an already loaded flow, prepared once by `flow.run()`: its parameters are resolved
 * and checked, its id is chosen and its logging is set up, so an environment only decides
 * where it executes.
 */
export interface PreparedRun<O> {
  readonly flow: RunnableFlow;
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
