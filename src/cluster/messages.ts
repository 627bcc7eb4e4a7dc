import type { ArgRef, GraphSnapshot, LogLevel, StateType, TaskProgress } from "../graph/index.ts";

/**
 * The cluster wire protocol. Every frame carries a batch (array) of these messages; user values
 * (graph constants, parameters, results) travel inside them as V8-serialized byte strings.
 */

/** Where each argument's upstream results are: a worker id, a per-child table, or null (none needed). */
export type Who = number | Int16Array | null;

/** One task run as the scheduler hands it to a worker. Value args are null: the worker reads them from the graph. */
export interface ComputeTask {
  /** node, child (-1: not a map child), attempt, Measure */
  readonly n: number;
  readonly c: number;
  readonly a: number;
  readonly m: number;
  readonly args: readonly (ArgRef | null)[];
  readonly who: readonly Who[];
  /**
   * Speculative assignment: the task's only dependent, which may start here as soon as this task
   * succeeds (every other input is held here). The worker starts it and claims it in its `done`;
   * the scheduler accepts the claim or sends `take-back`.
   */
  readonly next?: ComputeTask;
}

/**
 * An argument of a `next` hint on the wire (next-hint.ts): a small tuple, since hints are one per
 * chain link (task runs travel as a ComputeBatch, wire/compute-batch.ts).
 * [1, node, child, path?, flatten?] is a result; [2, node, width, flatten?] a mapped node's children.
 */
export type HintArg =
  | null
  | readonly [1, number, number, (readonly number[] | null)?, (0 | 1)?]
  | readonly [2, number, number, (0 | 1)?];

/**
 * The `next` hint of a non-mapped task on the wire, for speculative assignment:
 * [node, attempt, measure, args, who, its own next?] (the hinted task is never a map child).
 */
export type WireHint = readonly [
  number,
  number,
  number,
  readonly HintArg[],
  readonly Who[],
  WireHint?,
];

/** A `compute`'s hints: flat [node, child] of the task in `tasks` each is for, then its hint. */
export type NextHints = readonly (readonly [number, number, WireHint])[];

/** Outcome codes in `done` results. */
export const OutcomeCode = { success: 0, failed: 1, timedOut: 2, skipped: 3 } as const;

/**
 * The rare extras of a task run in a `done` (wire/done-batch.ts), by its index in the message:
 * a failure's or skip's message and stack, measured inner lengths, and the result itself, sent
 * along for a small kept result of a non-mapped node, which saves the scheduler a gather round
 * trip when the run ends. Absent fields are null.
 */
export type DoneExtra = readonly [
  index: number,
  message: string | null,
  stack: string | null,
  innerLengths: readonly number[] | null,
  bytes: Uint8Array | null,
];

/** Largest result a worker sends along with `done` (see DoneExtra). */
export const EAGER_RESULT_BYTES = 65536;

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

// ---- The protocol as types: one per `t`, grouped by direction. Wire keys stay short; the doc
// comments give their meaning. Decoding (msgpack) happens in the connection; the shells receive
// these unions and narrow them by `t`, so no handler casts a field.

/** A result on the peer protocol and in gathers: "node|child". */
export type ResultKey = string;

/** What a worker sends its scheduler. */
export type WorkerToScheduler =
  | {
      readonly t: "hello-worker";
      readonly name: string;
      readonly address: string;
      readonly slots: number;
    }
  | WorkerHeartbeat
  /** slow task runs about to start: flat [node, child] pairs */
  | { readonly t: "started"; readonly run: number; readonly keys: number[] }
  /**
   * task runs that ended, packed by DoneBatch (wire/done-batch.ts) and read by DoneReader;
   * `claimed`: flat [node, child, attempt] triples of the dependents it started speculatively on
   * these results (each a `next` of a task in `tasks`)
   */
  | {
      readonly t: "done";
      readonly run: number;
      /** DONE_FIELDS int32 per task run: node, child, outcome code (OutcomeCode), result length (-1: none) */
      readonly tasks: Int32Array;
      /** each task run's duration (ms), in the order of `tasks` */
      readonly ms: Float64Array;
      /** the few task runs with more to say, by ascending index */
      readonly extra?: DoneExtra[];
      readonly claimed?: number[];
    }
  /** task run (n, c) could not fetch inputs: flat [node, child, holder] triples */
  | {
      readonly t: "missing";
      readonly run: number;
      readonly n: number;
      readonly c: number;
      readonly lost: number[];
    }
  /** the answer to a `gather` (values null where it no longer holds the result) */
  | {
      readonly t: "gathered";
      readonly run: number;
      readonly keys: ResultKey[];
      readonly values: (Buffer | null)[];
    }
  | { readonly t: "logs"; readonly run: number; readonly logs: TaskLog[] }
  | { readonly t: "load-failed"; readonly run: number; readonly message: string }
  /** queued task runs handed back: flat [run, node, child] triples */
  | { readonly t: "stolen"; readonly keys: number[] }
  | { readonly t: "get-bundle"; readonly hash: string }
  | Extract<RetirementMessage, { t: "goodbye" | "replicated" }>;

/** What a flow runner's client sends the scheduler. */
export type ClientToScheduler =
  | { readonly t: "hello-client" }
  | { readonly t: "has-bundle"; readonly hash: string }
  | { readonly t: "put-bundle"; readonly hash: string; readonly code: Buffer }
  | {
      readonly t: "submit";
      readonly ref: number;
      readonly flowRunId: string;
      readonly flowName: string;
      readonly bundle: string;
      /** the GraphSpec, V8-serialized */
      readonly graph: Buffer;
      /** the parameters, V8-serialized */
      readonly params: Buffer;
      /** nodes whose results the client wants back */
      readonly keep: number[];
      /** send this run's task-run states as they change (`task-runs` messages) */
      readonly live?: boolean;
    }
  /** ref -1: every run of this client */
  | { readonly t: "cancel"; readonly ref: number };

/** Everything the scheduler's port receives (workers and clients share it). */
export type SchedulerInbound = WorkerToScheduler | ClientToScheduler;

/** What the scheduler sends a worker. */
export type SchedulerToWorker =
  | { readonly t: "welcome"; readonly id: number; readonly peers: PeerInfo[] }
  | { readonly t: "peer"; readonly peer: PeerInfo }
  | { readonly t: "peer-gone"; readonly id: number }
  | {
      readonly t: "run";
      readonly run: number;
      readonly bundle: string;
      readonly flowName: string;
      readonly flowRunId: string;
      readonly graph: Buffer;
      readonly params: Buffer;
      readonly keep: number[];
    }
  /** task runs to start: ComputeTasks packed by ComputeBatch (wire/compute-batch.ts) */
  | {
      readonly t: "compute";
      readonly run: number;
      readonly tasks: Int32Array;
      readonly tables: Int16Array[];
      /** speculative assignment: `next` hints of some of these tasks (see next-hint.ts) */
      readonly next?: NextHints;
    }
  | { readonly t: "bundle"; readonly hash: string; readonly code: Buffer | null }
  | { readonly t: "release"; readonly run: number; readonly node: number }
  | { readonly t: "cancel"; readonly run: number }
  | { readonly t: "steal"; readonly max: number }
  /** speculative task runs it claimed that the scheduler refuses: flat [node, child] pairs; drop them unreported */
  | { readonly t: "take-back"; readonly run: number; readonly keys: number[] }
  | { readonly t: "forget"; readonly run: number }
  | { readonly t: "gather"; readonly run: number; readonly keys: ResultKey[] }
  | { readonly t: "shutdown" }
  | Extract<RetirementMessage, { t: "replicate" | "retired" }>;

/**
 * A `task-runs` entry: [node, child, state (STATE_CODES index), startedAt, endedAt, worker]
 * flattened, six int32 per task run (a typed array, which the codec copies as bytes); times are
 * ms after the message's `base` (ms since the epoch) or -1 (unknown), worker an index into the
 * message's `workers` or -1.
 */
export const TASK_RUN_FIELDS = 6;

/** What the scheduler sends a client. */
export type SchedulerToClient =
  | { readonly t: "hello"; readonly workers: number }
  | { readonly t: "bundle-status"; readonly hash: string; readonly has: boolean }
  | { readonly t: "started"; readonly ref: number }
  /** each task's progress (sent by the dashboard's ProgressPush, when the scheduler has one) */
  | { readonly t: "progress"; readonly ref: number; readonly progress: TaskProgress[] }
  | {
      readonly t: "ended";
      readonly ref: number;
      readonly node: number;
      readonly child: number;
      readonly state: StateType;
      readonly message: string;
    }
  | { readonly t: "logs"; readonly ref: number; readonly worker: string; readonly logs: TaskLog[] }
  /**
   * the latest state of each task run that changed since the previous `task-runs` of the run
   * (only for runs submitted with `live`), every ~200 ms and before `result`: TASK_RUN_FIELDS
   * numbers per task run in `runs`, messages of failed ones in `messages` ([index in runs, text])
   */
  | {
      readonly t: "task-runs";
      readonly ref: number;
      readonly base: number;
      readonly workers: string[];
      readonly runs: Int32Array;
      readonly messages: [number, string][];
    }
  /** a task run failed and will be retried after `delay` ms (the client logs it as a local run does) */
  | {
      readonly t: "retry";
      readonly ref: number;
      readonly node: number;
      readonly child: number;
      readonly delay: number;
      readonly message: string;
    }
  /** the run ended: its graph snapshot and the kept results (keys here, bytes as attachments) */
  | {
      readonly t: "result";
      readonly ref: number;
      readonly snapshot: GraphSnapshot;
      readonly keys: ResultKey[];
      /** the kept results' bytes: sent as attachments, set from them on receipt (unpackFrame) */
      readonly values?: (Buffer | null)[];
    }
  | {
      readonly t: "failed";
      readonly ref: number;
      readonly code: string;
      readonly worker: string;
      readonly message: string;
    };

/** Everything the scheduler sends. */
export type SchedulerOutbound = SchedulerToWorker | SchedulerToClient;

/** Worker to worker: fetch results, and the answer (values as attachments, null where missing). */
export type PeerRequest = {
  readonly t: "get";
  readonly id: number;
  readonly run: number;
  readonly keys: ResultKey[];
};
export type PeerAnswer = {
  readonly t: "data";
  readonly id: number;
  readonly values: (Buffer | null)[];
};
