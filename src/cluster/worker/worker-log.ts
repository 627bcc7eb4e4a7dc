import { MoveRing } from "../move-ring.ts";
import { WORKER_TASK_STATUSES } from "./worker-tasks.ts";

/**
 * Where a task run on a worker can go: its statuses (worker-tasks.ts), then how it leaves: `done`
 * (reported), `dropped` (taken back by the scheduler, or the pool dropped it), `handed-back`
 * (stolen, or the worker is retiring), `missing` (an input was lost). `too-slow` is no move but
 * a decision logged with it: the task run ran inline too long, so its task no longer runs inline.
 */
export const WORKER_MOVES = [
  "new",
  ...WORKER_TASK_STATUSES,
  "done",
  "dropped",
  "handed-back",
  "missing",
  "too-slow",
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
 * A bounded log of a worker's task-run moves (as Dask's WorkerState.log) in a MoveRing, plus
 * whether each was speculative: `story(run, node, child)` reads one task run's back.
 */
export class WorkerLog {
  private readonly ring: MoveRing;
  private readonly speculative: Uint8Array;

  constructor(readonly size = WORKER_LOG_SIZE) {
    this.ring = new MoveRing(size);
    this.speculative = new Uint8Array(size);
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
    const i = this.ring.add(run, node, child, MOVE_CODES[from], MOVE_CODES[to], time);
    this.speculative[i] = speculative ? 1 : 0;
  }

  /** The logged moves of one task run, oldest first. */
  story(run: number, node: number, child: number): WorkerStoryEntry[] {
    const out: WorkerStoryEntry[] = [];
    const r = this.ring;
    for (const i of r.slots()) {
      if (!r.is(i, run, node, child)) continue;
      out.push({
        from: WORKER_MOVES[r.from(i)]!,
        to: WORKER_MOVES[r.to(i)]!,
        speculative: this.speculative[i] === 1,
        time: r.times[i]!,
      });
    }
    return out;
  }
}
