import type { StateType } from "../graph/index.ts";

/**
 * One task run's new state, as an executor reports it live (`ExecutionRequest.onTaskRuns`).
 * Within one batch a task run appears at most once, with its latest state: a change that was
 * overtaken before the batch went out is not reported on its own.
 */
export interface TaskRunUpdate {
  /** The task's node index in the run's graph. */
  readonly node: number;
  /** The task's name (its node id). */
  readonly task: string;
  /** The map index of a map child; -1 for an unmapped task (and for a mapped task's parent run). */
  readonly mapIndex: number;
  /** Pending → Running → Success | Failed | Retrying | TimedOut | Skipped | … (Mapped for a map's parent). */
  readonly state: StateType;
  /** When the run (its latest attempt) started, ms since the epoch; absent when it never ran. */
  readonly startedAt?: number;
  /** When it reached a finished state, ms since the epoch. */
  readonly endedAt?: number;
  /** The cluster worker it ran on (cluster runs only). */
  readonly worker?: string;
  /** Why it failed, was skipped or will be retried. */
  readonly message?: string;
}

/** How often executors hand batches of task-run updates to `onTaskRuns` (ms). */
export const TASK_RUN_FLUSH_MS = 200;
