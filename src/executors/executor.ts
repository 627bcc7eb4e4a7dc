import type {
  GraphSnapshot,
  GraphSpec,
  LogRecord,
  TaskHost,
  TaskProgress,
} from "../graph/index.ts";
import type { TaskRunUpdate } from "./task-run-update.ts";

/** One flow run's graph, handed to an executor whole (a map is one node, not one call per child). */
export interface ExecutionRequest {
  readonly flowRunId: string;
  readonly flowName: string;
  readonly graph: GraphSpec;
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Runs the flow's tasks in this process (what LocalExecutor uses). */
  readonly host: TaskHost;
  /** The file that defines the flow, for executors that ship its code to other processes. */
  readonly sourceFile: string | undefined;
  /** Nodes whose results the caller wants back; the others may be dropped once consumed. */
  readonly keep: ReadonlySet<number>;
  readonly signal: AbortSignal;
  readonly onLog: (record: LogRecord) => void;
  /** Called with every task's progress, at most every few hundred ms and once at the end. */
  readonly onProgress?: (progress: readonly TaskProgress[]) => void;
  /**
   * Called with task runs' state changes while the run goes on, in batches (every ~200 ms, and
   * once before `execute` resolves): the latest state of each task run that changed since the
   * previous batch (see TaskRunUpdate), at most 8,192 per call. Live news only: the result's snapshot has the exact
   * final states. Executors do no per-task-run work for it when it is not given.
   */
  readonly onTaskRuns?: (updates: readonly TaskRunUpdate[]) => void;
  /** Called when the first task run starts (used to measure start latency). */
  readonly onFirstTaskStarted?: () => void;
}

export interface ExecutionResult {
  readonly snapshot: GraphSnapshot;
  /** Values of the kept nodes: a node's result, or for a mapped node the list of child results. */
  readonly results: ReadonlyMap<number, unknown>;
}

/**
 * Runs a flow run's task graph somewhere: in this process (LocalExecutor) or on a cluster
 * (ClusterExecutor). The flow library talks only to this interface.
 */
export interface Executor {
  /** Human-readable, for logs: `LocalExecutor`, `ClusterExecutor(tls://…)`. */
  readonly description: string;
  execute(request: ExecutionRequest): Promise<ExecutionResult>;
  /**
   * Releases what the executor holds open (a connection), so that the process can exit; its
   * owner calls it when done. Optional: an executor holding nothing has none.
   */
  close?(): Promise<void>;
}
