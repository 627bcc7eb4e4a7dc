import { WORKER_TASK_STATUSES } from "./worker-tasks.ts";

/**
 * Where a task run on a worker can go: its statuses (worker-tasks.ts), then how it leaves: `done`
 * (reported), `dropped` (taken back by the scheduler, or the pool dropped it), `handed-back`
 * (stolen, or the worker is retiring), `missing` (an input was lost).
 */
export const WORKER_MOVES = [
  "new",
  ...WORKER_TASK_STATUSES,
  "done",
  "dropped",
  "handed-back",
  "missing",
] as const;
export type WorkerMove = (typeof WORKER_MOVES)[number];

/** Each move's index in WORKER_MOVES (a lookup, not a scan, per logged move). */
const MOVE_CODES = Object.fromEntries(WORKER_MOVES.map((m, i) => [m, i])) as Record<
  WorkerMove,
  number
>;

/** One line of a task run's story on a worker. */
export interface WorkerStoryEntry {
  readonly from: WorkerMove;
  readonly to: WorkerMove;
  /** Started speculatively (a claimed `next`), not sent by the scheduler. */
  readonly speculative: boolean;
  /** ms since the epoch, from WorkerState's injected clock */
  readonly time: number;
}

/** How many moves the log keeps; older ones are overwritten. */
export const WORKER_LOG_SIZE = 50_000;

/**
 * A bounded log of a worker's task-run moves (as Dask's WorkerState.log), in flat typed arrays so
 * that logging costs a few stores: `story(run, node, child)` reads one task run's back.
 */
export class WorkerLog {
  private readonly runs: Int32Array;
  private readonly nodes: Int32Array;
  private readonly children: Int32Array;
  private readonly moves: Uint8Array;
  private readonly speculative: Uint8Array;
  private readonly times: Float64Array;
  private next = 0;
  private count = 0;

  constructor(readonly size = WORKER_LOG_SIZE) {
    this.runs = new Int32Array(size);
    this.nodes = new Int32Array(size);
    this.children = new Int32Array(size);
    this.moves = new Uint8Array(size);
    this.speculative = new Uint8Array(size);
    this.times = new Float64Array(size);
  }

  add(
    run: number,
    node: number,
    child: number,
    from: WorkerMove,
    to: WorkerMove,
    speculative: boolean,
    time: number,
  ): void {
    const i = this.next;
    this.runs[i] = run;
    this.nodes[i] = node;
    this.children[i] = child;
    this.moves[i] = (MOVE_CODES[from] << 4) | MOVE_CODES[to];
    this.speculative[i] = speculative ? 1 : 0;
    this.times[i] = time;
    this.next = (i + 1) % this.size;
    if (this.count < this.size) this.count++;
  }

  /** The logged moves of one task run, oldest first. */
  story(run: number, node: number, child: number): WorkerStoryEntry[] {
    const out: WorkerStoryEntry[] = [];
    const start = this.count < this.size ? 0 : this.next;
    for (let k = 0; k < this.count; k++) {
      const i = (start + k) % this.size;
      if (this.runs[i] !== run || this.nodes[i] !== node || this.children[i] !== child) continue;
      out.push({
        from: WORKER_MOVES[this.moves[i]! >> 4]!,
        to: WORKER_MOVES[this.moves[i]! & 15]!,
        speculative: this.speculative[i] === 1,
        time: this.times[i]!,
      });
    }
    return out;
  }
}
