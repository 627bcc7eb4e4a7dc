import type { GraphSpec } from "../../graph/index.ts";
import type { ComputeTask } from "../messages.ts";
import { inputKey } from "./input-key.ts";
import type { RunDurations } from "./task-durations.ts";

/**
 * Where a task run stands on a worker:
 * - `waiting`: its run's code is not in the bundle cache yet;
 * - `fetching`: its inputs are being fetched from peers (or a reduce's many inputs gathered);
 * - `queued`: handed to the thread pool, which runs it when a thread is free;
 * - `running`: a slow task run the pool said it starts (fast ones stay `queued` until done);
 * - `inline`: a short one run on the worker's I/O loop rather than in a thread (inline-policy.ts).
 */
export const WORKER_TASK_STATUSES = ["waiting", "fetching", "queued", "running", "inline"] as const;
export type WorkerTaskStatus = (typeof WORKER_TASK_STATUSES)[number];

export function isWorkerTaskStatus(s: string): s is WorkerTaskStatus {
  // compared one by one: this runs on every move of every task run
  return s === "queued" || s === "inline" || s === "running" || s === "fetching" || s === "waiting";
}

/** One task run the worker holds. */
export interface WorkerTask {
  readonly n: number;
  readonly c: number;
  readonly a: number;
  status: WorkerTaskStatus;
  /** The dependent to start speculatively when this succeeds (the scheduler's `next` hint). */
  readonly next: ComputeTask | undefined;
  /** Started speculatively (claimed in a `done`), not sent by the scheduler. */
  readonly speculative: boolean;
  /** The scheduler refused the claim: drop the outcome unreported. */
  takenBack: boolean;
  /** How many of its `next` links its thread runs right after it (inline-chain.ts). */
  inline: number;
  /** A link its thread runs after the task run before it (claimed when that one's result came). */
  readonly inThread: boolean;
}

/** A flow run the worker was told about. */
export interface WorkerRun {
  readonly id: number;
  readonly spec: GraphSpec;
  readonly bundle: string;
  /** Names its flow's code on the I/O loop: "bundle#flowName" (inline-policy.ts). */
  readonly code: string;
  /** Its code is in the bundle cache. */
  ready: boolean;
  /** Task runs that came before the code. */
  waiting: ComputeTask[];
  readonly durations: RunDurations;
  /** Kept nodes: their small results go to the scheduler with `done`. */
  readonly keep: ReadonlySet<number>;
  /** Cancelled: it starts nothing on its own any more. */
  cancelled: boolean;
  /** Task runs held here, by taskKey. */
  readonly tasks: Map<number, WorkerTask>;
}

/**
 * A number naming a task run within its flow run: the same small-integer (Smi) key as an input's
 * (input-key.ts), so that the per-task-run Map lookups allocate no heap number.
 */
export function workerTaskKey(node: number, child: number): number {
  return inputKey(node, child);
}

/** Whether a task run in this status (or move) was handed to a runner: a thread or the I/O loop. */
export function isHanded(s: string): boolean {
  return s === "queued" || s === "running" || s === "inline";
}

/** How many of `tasks` a run holds handed (a compute's are queued already when they start). */
export function handedAmong(run: WorkerRun, tasks: readonly ComputeTask[]): number {
  let n = 0;
  for (const t of tasks) {
    const e = run.tasks.get(workerTaskKey(t.n, t.c));
    if (e && isHanded(e.status)) n++;
  }
  return n;
}
