import type { ComputeTask, SchedulerToWorker, WorkerToScheduler } from "../messages.ts";
import type { PackedDeps, TaskInput } from "./packed-deps.ts";
import type { PoolTask } from "./pool-task.ts";
import type { ResultStore } from "./result-store.ts";
import type { ThreadResult, ThreadRunInfo } from "./thread-messages.ts";
import type { WorkerMove } from "./worker-log.ts";
import type { WorkerRun, WorkerTask } from "./worker-tasks.ts";

/** A task run to execute, before its inputs are known (see PoolTask). */
export type TaskBase = Omit<PoolTask, "inputs" | "chain">;

/** A task run as its fetch reports it: (run, node, child). */
export interface TaskId {
  readonly run: number;
  readonly n: number;
  readonly c: number;
}

/**
 * What happens to a worker, as its shell (ClusterWorker) tells the pure core (WorkerState.handle):
 * scheduler messages (decoded), thread-pool reports, and the answers to the commands that need I/O.
 */
export type WorkerEvent =
  /** a message from the scheduler (the `bundle` message is the shell's: it writes the cache) */
  | { readonly type: "scheduler"; readonly msg: Exclude<SchedulerToWorker, { t: "bundle" }> }
  /** a run's code is in the bundle cache (after a `need-bundle` command) */
  | { readonly type: "bundle-ready"; readonly hash: string }
  /**
   * a `fetch` or `gather-large` command ended: the inputs (or packed deps) of the task run, the
   * results fetched from peers (to keep), and the inputs no holder had (flat [node, child, holder])
   */
  | {
      readonly type: "inputs-ready";
      readonly base: TaskBase;
      readonly inputs: TaskInput[];
      readonly deps?: PackedDeps;
      readonly fetched: readonly (readonly [number, number, Buffer])[];
      readonly lost: readonly number[];
    }
  /** task threads finished task runs */
  | { readonly type: "results"; readonly list: readonly ThreadResult[] }
  /** a slow task run is about to start in a thread */
  | { readonly type: "starting"; readonly task: TaskId }
  /** queued task runs the pool gave up (after a `pool-steal`): flat [run, node, child] triples */
  | { readonly type: "handed-back"; readonly keys: readonly number[] }
  /** a task run the pool dropped from its queue (after a `pool-remove`) */
  | { readonly type: "dropped"; readonly task: TaskId }
  /** the memory monitor paused (over 80% of the limit) or resumed the worker */
  | { readonly type: "memory"; readonly paused: boolean }
  /** a `replicate` command's fetch ended: values null where the retiring peer had none */
  | {
      readonly type: "replicated";
      readonly id: number;
      readonly run: number;
      readonly keys: readonly string[];
      readonly values: readonly (Buffer | null)[];
    }
  /** begin a graceful retirement */
  | { readonly type: "stop"; readonly grace: number }
  /** an `inline-load` command ended: the flow's code (WorkerRun.code) is loaded on the I/O loop, or failed to */
  | { readonly type: "inline-code"; readonly code: string; readonly ok: boolean };

/** What the core asks its shell to do. */
export type WorkerCommand =
  | {
      readonly k: "send";
      readonly msg: WorkerToScheduler;
      /** send now rather than at the end of the turn (a slow task's `started`) */
      readonly flush?: boolean;
      /** nobody waits on it (a `done` whose chain goes on here): it may wait for company */
      readonly lazy?: boolean;
    }
  /** answer a `gather`: the values travel as attachments (null where not held) */
  | {
      readonly k: "send-gathered";
      readonly run: number;
      readonly keys: readonly string[];
      readonly values: readonly (Buffer | null)[];
    }
  /** hand task runs, inputs ready, to the thread pool */
  | { readonly k: "execute"; readonly tasks: PoolTask[] }
  /** run short task runs, inputs ready, on the I/O loop (inline-tasks.ts); their results come as `results` */
  | { readonly k: "inline-execute"; readonly tasks: PoolTask[] }
  /** load a run's flow code on the I/O loop, without waiting for it; answer `inline-code` */
  | { readonly k: "inline-load"; readonly run: number; readonly code: string }
  /** fetch a small task run's remote inputs (flat [holder, node, child, sticky] quads); answer `inputs-ready` */
  | {
      readonly k: "fetch";
      readonly base: TaskBase;
      readonly inputs: readonly TaskInput[];
      readonly remote: readonly number[];
    }
  /** gather a reduce's many inputs in chunks, fetching remote ones; answer `inputs-ready` */
  | { readonly k: "gather-large"; readonly base: TaskBase; readonly task: ComputeTask }
  /** make sure the bundle is in the cache (asking the scheduler for it if not); answer `bundle-ready` */
  | { readonly k: "need-bundle"; readonly hash: string }
  /** tell the task threads about a run (its code is the bundle with hash `bundle`) */
  | {
      readonly k: "pool-add-run";
      readonly info: Omit<ThreadRunInfo, "bundlePath" | "taskHost">;
      readonly bundle: string;
    }
  /** (these three go to the I/O loop's runner too) */
  | { readonly k: "pool-release"; readonly run: number; readonly node: number }
  | { readonly k: "pool-cancel"; readonly run: number }
  | { readonly k: "pool-forget"; readonly run: number }
  /** take up to `max` queued task runs back from the pool; answer `handed-back` */
  | { readonly k: "pool-steal"; readonly max: number }
  /** drop a queued task run from the pool if it has not started; answer `dropped` if it was */
  | { readonly k: "pool-remove"; readonly task: TaskId }
  | { readonly k: "pool-pause"; readonly paused: boolean }
  /** copy results from a retiring peer; answer `replicated` */
  | {
      readonly k: "replicate";
      readonly id: number;
      readonly run: number;
      readonly from: number;
      readonly keys: readonly string[];
    }
  /** the scheduler said `retired`: end the graceful stop's wait */
  | { readonly k: "let-go" }
  /** the scheduler shut down: close the connection */
  | { readonly k: "disconnect"; readonly reason: string };

/**
 * What worker-outcomes.ts reads and calls of WorkerState (which implements it), named here so
 * that the two files do not import each other.
 */
export interface WorkerCore {
  readonly store: ResultStore;
  readonly runs: Map<number, WorkerRun>;
  readonly speculate: boolean;
  readonly stopping: boolean;
  readonly paused: boolean;
  out: WorkerCommand[];
  move(run: WorkerRun, t: WorkerTask, to: WorkerMove): void;
  send(msg: WorkerToScheduler): void;
  compute(id: number, tasks: ComputeTask[], speculative: boolean): void;
  /**
   * Holds a chain link its runner runs already (inline-chain.ts) as a speculative task run,
   * `queued` (in a thread) or `inline` (on the I/O loop).
   */
  holdInThread(run: WorkerRun, t: ComputeTask, inline: number, status: "queued" | "inline"): void;
  /** An inline task run took `ms` (a slow one stops its task running inline). */
  ranInline(run: WorkerRun, t: WorkerTask, ms: number): void;
}
