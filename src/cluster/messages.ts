import type { ArgRef, Outcome } from "../graph/commands.ts";
import type { LogLevel } from "../graph/log-record.ts";

/**
 * The cluster wire protocol. Every frame carries a batch (array) of these messages; user values
 * (graph constants, parameters, results) travel inside them as V8-serialized byte strings.
 */

/** Where each argument's upstream results are: a worker id, a per-child table, or null (none needed). */
export type Who = number | Int16Array | null;

/** One task run as the scheduler hands it to a worker. Value args are null: the worker reads them from the graph. */
export interface ComputeTask {
  readonly n: number;
  readonly c: number;
  readonly a: number;
  readonly m: number;
  readonly args: readonly (ArgRef | null)[];
  readonly who: readonly Who[];
}

/** Outcome codes in `done` results. */
export const OutcomeCode = { success: 0, failed: 1, timedOut: 2, skipped: 3 } as const;

/**
 * [node, child, code, ms, length, innerLengths, message, stack, bytes]. `bytes` is the result
 * itself, sent along for a small kept result of a non-mapped node, which saves the scheduler a
 * gather round trip when the run ends.
 */
export type DoneEntry = [
  number,
  number,
  number,
  number,
  number?,
  number[]?,
  string?,
  string?,
  Uint8Array?,
];

/** Largest result a worker sends along with `done` (see DoneEntry). */
export const EAGER_RESULT_BYTES = 65536;

/** The graph outcome a `done` entry reports. */
export function outcomeOfDone(e: DoneEntry): Outcome {
  const [, , code, , length, innerLengths, message, stack] = e;
  if (code === OutcomeCode.success)
    return { type: "Success", length: length! >= 0 ? length : undefined, innerLengths };
  if (code === OutcomeCode.skipped) return { type: "Skipped", message: message ?? "" };
  return {
    type: code === OutcomeCode.timedOut ? "TimedOut" : "Failed",
    message: message ?? "",
    stack,
  };
}

/** A log line from a task: [time, level, node, child, message]. */
export type TaskLog = [number, LogLevel, number, number, string];

export type PeerInfo = [id: number, name: string, address: string];

/**
 * A worker's `hb` message, every second: the scheduler reads that it came, `bytes` and `paused`
 * (placement and retirement); the dashboard reads the rest.
 */
export type WorkerHeartbeat = {
  readonly t: "hb";
  /** Task runs queued or running on the worker. */
  readonly load: number;
  /** Bytes of results it holds. */
  readonly bytes: number;
  /** Resident memory of the worker process (bytes). */
  readonly rss: number;
  /** CPU µs used so far (user + system). */
  readonly cpu: number;
  readonly now: number;
  /** Peer fetches since the last heartbeat: [start, end, bytes] triples. */
  readonly xfer: number[];
  /** Above 80% of its --memory-limit: it starts no new task until its memory drops. */
  readonly paused?: boolean;
  /** Bytes of task inputs handed to its task threads so far. */
  readonly inputBytes?: number;
};

/**
 * Graceful retirement (Dask's retire_workers; CONTRACTS.md), besides `stolen` for the tasks it
 * hands back:
 * - worker -> scheduler `{t:"goodbye", grace}`: it is leaving within `grace` ms; no new tasks.
 * - scheduler -> receiving worker `{t:"replicate", id, run, from, keys}`: copy these results
 *   ("node|child") from worker `from` (peer `get`); it answers `{t:"replicated", id, run, keys}`
 *   with the keys it now holds.
 * - scheduler -> leaving worker `{t:"retired"}`: its tasks are done and its results handed over; it may go.
 */
export type RetirementMessage =
  | { readonly t: "goodbye"; readonly grace?: number }
  | {
      readonly t: "replicate";
      readonly id: number;
      readonly run: number;
      readonly from: number;
      readonly keys: readonly string[];
    }
  | { readonly t: "replicated"; readonly id: number; readonly run: number; readonly keys: string[] }
  | { readonly t: "retired" };
