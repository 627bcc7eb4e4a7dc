import type { Executor } from "../executors/executor.ts";
import type { LogLevel, LogRecord } from "../graph/log-record.ts";
import type { TaskProgress } from "../graph/progress.ts";
import type { FlowEnvironment } from "./flow-environment.ts";
import type { RunPlacement } from "./flow-run-result.ts";

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
  /** Called when the environment knows where the run executes (its cluster), before any task. */
  readonly onPlacement?: (placement: RunPlacement) => void;
  /** Called when the first task run starts. */
  readonly onFirstTaskStarted?: () => void;
}
