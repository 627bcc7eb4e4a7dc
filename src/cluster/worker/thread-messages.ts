import type { ArgRef } from "../../graph/index.ts";
import type { BatchInputs, PackedDeps } from "./packed-deps.ts";
import type { ChainLink } from "./inline-chain.ts";

/** What a worker's I/O loop tells a task thread about a flow run, once per run. */
export interface ThreadRunInfo {
  readonly run: number;
  readonly graph: Buffer;
  readonly params: Buffer;
  readonly flowRunId: string;
  readonly flowName: string;
  readonly bundlePath: string;
  readonly taskHost: string;
}

/**
 * One task run handed to a thread. Its inputs' bytes come in its batch's BatchInputs (or, for a
 * reduce over many results, packed alone in `deps`); sticky ones the thread may already hold.
 */
export interface ThreadTask {
  readonly run: number;
  readonly n: number;
  readonly c: number;
  readonly a: number;
  readonly m: number;
  readonly args: readonly (ArgRef | null)[];
  readonly deps?: PackedDeps;
  /** Its number among the task runs handed to this thread. */
  readonly s: number;
  /** Links to run right after it while they succeed (inline-chain.ts), numbered s + 1, s + 2, … */
  readonly chain?: readonly ChainLink[];
}

/**
 * The code of a chain link its thread did not run (the link before it failed, or the thread was
 * replaced or the run cancelled first); never sent to the scheduler.
 */
export const NOT_RUN = -1;

export interface ThreadResult {
  /** The task run's number in its thread (ThreadTask.s); absent for results the pool made. */
  readonly s?: number;
  readonly run: number;
  readonly n: number;
  readonly c: number;
  readonly code: number;
  readonly ms: number;
  readonly bytes?: Buffer;
  readonly length?: number;
  readonly inner?: number[];
  readonly message?: string;
  readonly stack?: string;
  /** A chain link's outcome (inline-chain.ts), set by the pool. */
  inline?: boolean;
}

/** The messages a worker's I/O loop posts to a task thread. */
export type ToThread =
  | { readonly t: "run"; readonly info: ThreadRunInfo }
  | { readonly t: "tasks"; readonly tasks: PackedTasks; readonly inputs?: BatchInputs }
  | { readonly t: "cancel"; readonly run: number }
  | { readonly t: "forget"; readonly run: number }
  /** Drop the sticky inputs of this node (no task needs them any more). */
  | { readonly t: "release"; readonly run: number; readonly node: number };

/** The messages a task thread posts to its worker's I/O loop. */
export type FromThread =
  | { readonly t: "ready" }
  | { readonly t: "results"; readonly results: PackedResults }
  | { readonly t: "logs"; readonly list: unknown[] }
  /** task run `s` (a slow one with a timeout) began */
  | { readonly t: "begin"; readonly s: number }
  | { readonly t: "load-failed"; readonly run: number; readonly message: string };

/** A batch of task runs as one Int32Array (see packTasks), plus the rare per-task packed deps. */
export interface PackedTasks {
  readonly ints: Int32Array;
  /** deps[i] is the reduce inputs of the task whose dep slot says i. */
  readonly deps: readonly PackedDeps[];
}

/** Results of a batch: [s, run, n, c, code, length, end of bytes] per result, ms apart. */
export interface PackedResults {
  readonly ints: Int32Array;
  readonly ms: Float64Array;
  /** The results' bytes, back to back (result i ends at ints[7 i + 6]). */
  readonly blob: Uint8Array;
  /** The rare extras by result index: [index, message, stack, innerLengths]. */
  readonly extra: readonly (readonly [number, string?, string?, number[]?])[];
  /** Large results by index, kept out of the blob (moved, not copied, when they own their buffer). */
  readonly large: readonly (readonly [number, Uint8Array])[];
}
