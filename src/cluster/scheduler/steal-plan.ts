import type { WorkerRecord } from "./worker-record.ts";

/** A request to a busy worker to hand back up to `max` task runs it has queued but not started. */
export interface StealRequest {
  readonly from: WorkerRecord;
  readonly max: number;
}

/** Backlog (ms of work beyond a worker's slots) worth a round trip to move. */
const MIN_BACKLOG_MS = 2;

/**
 * Work stealing: when the scheduler's queue is empty and a worker is idle (fewer task runs than
 * slots) while another holds a backlog beyond its slots, ask the busiest one to hand back about
 * half the difference; the scheduler then places what comes back on the idle workers.
 * One request per busy worker is in flight at a time (`stealing`).
 */
export function planSteal(ws: readonly WorkerRecord[], avgMs: number): StealRequest | undefined {
  let idle: WorkerRecord | undefined;
  let busy: WorkerRecord | undefined;
  for (const w of ws) {
    if (w.closing) continue;
    const slots = slotsOf(w);
    if (!w.paused && w.assigned < slots && (!idle || w.assigned < idle.assigned)) idle = w;
    if (
      !w.stealing &&
      w.assigned > slots &&
      (!busy || w.assigned - slots > busy.assigned - slotsOf(busy))
    )
      busy = w;
  }
  if (!idle || !busy) return undefined;
  const excess = busy.assigned - slotsOf(busy);
  if (excess * Math.max(avgMs, 0) < MIN_BACKLOG_MS * slotsOf(busy)) return undefined;
  const max = Math.max(1, Math.floor((busy.assigned - idle.assigned) / 2));
  return { from: busy, max: Math.min(max, excess) };
}

/** A paused worker runs one task at a time: what it holds beyond that is backlog, and it is never idle. */
function slotsOf(w: WorkerRecord): number {
  return w.paused ? 1 : w.slots;
}
