import type { GraphCommand } from "../../graph/index.ts";
import type { SchedulerOutbound } from "../messages.ts";
import type { FlowRun, TaskRecord } from "./flow-run.ts";
import type { TaskQueue } from "./task-queue.ts";
import type { TransitionLog } from "./transition-log.ts";
import type { WorkerRecord } from "./worker-record.ts";

/**
 * What the task-run transitions (task-transitions.ts) and the worker-report handlers
 * (worker-reports.ts) use of the scheduler's state. SchedulerState implements it; those files
 * name this interface, not the class, because the class calls them (no import cycle).
 */
export interface SchedulerCore {
  readonly workers: Map<number, WorkerRecord>;
  readonly runs: Map<number, FlowRun>;
  /** Task runs waiting for a worker. */
  readonly queue: TaskQueue;
  readonly log: TransitionLog;
  /** The clock's reading for the event being handled. */
  now: number;
  /** Moving average of task durations (ms), which sets how many tasks a worker may hold. */
  avgMs: number;
  completed: number;
  /** Whether computes carry `next` hints (speculative assignment on dependent chains). */
  readonly speculate: boolean;
  /** Carries out a graph state machine's commands for `run`. */
  apply(run: FlowRun, commands: readonly GraphCommand[]): void;
  /** Recomputes a lost result; `waiter` waits for it. */
  recompute(run: FlowRun, node: number, child: number, waiter: TaskRecord | undefined): void;
  /** A recomputation ended (with `failure` when it failed). */
  recomputed(run: FlowRun, node: number, child: number, failure: string | undefined): void;
  /** Tells worker `to` about `run` (once). */
  tellRun(run: FlowRun, to: number): void;
  send(to: number, msg: SchedulerOutbound): void;
}
