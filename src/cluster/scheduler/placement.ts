import { STATE_CODES, type StateType, type ArgRef } from "../../graph/index.ts";
import type { Who } from "../messages.ts";
import type { FlowRun } from "./flow-run.ts";
import type { WorkerRecord } from "./worker-record.ts";

/**
 * How many task runs a worker may hold at once (running plus queued there), from the mean task
 * duration: short tasks are sent in large batches so that no worker waits on a round trip;
 * long tasks one per slot, so that queued work stays on the scheduler for whichever worker frees
 * up first (the scheduler-side queue does what Dask's work stealing does for long tasks).
 */
export function windowFor(slots: number, avgMs: number): number {
  if (avgMs < 0) return slots * 2;
  if (avgMs < 0.5) return slots * 1024;
  if (avgMs < 5) return slots * 64;
  if (avgMs < 50) return slots * 4;
  return slots;
}

/** The worker with the most room left, if any has room; a paused one only when no other has room. */
export function pickRoomiest(
  ws: readonly WorkerRecord[],
  room: Map<WorkerRecord, number>,
): WorkerRecord | undefined {
  let best: WorkerRecord | undefined;
  for (const w of ws) {
    const r = room.get(w)!;
    if (r <= 0) continue;
    if (!best || (best.paused && !w.paused) || (best.paused === w.paused && r > room.get(best)!))
      best = w;
  }
  return best;
}

/** Whether a task goes to `near` (it holds an input) rather than to `best`: it has room and is not paused while `best` is not. */
export function preferNear(
  near: WorkerRecord,
  best: WorkerRecord,
  room: Map<WorkerRecord, number>,
): boolean {
  return !near.closing && (room.get(near) ?? 0) > 0 && (!near.paused || best.paused);
}

/** Counts of task runs by state over the given runs, for the dashboard. */
export function stateCounts(runs: Iterable<FlowRun>): Record<string, number> {
  const counts: Record<string, number> = {};
  const add = (s: StateType) => (counts[s] = (counts[s] ?? 0) + 1);
  for (const run of runs)
    for (const n of run.state.nodes) {
      if (n.childStates) for (const code of n.childStates) add(STATE_CODES[code]!);
      else add(n.state);
    }
  return counts;
}

const NONE_LOST: readonly [number, number][] = Object.freeze([]);

/**
 * Where each input of a task is (a worker id, a per-child table, or null), written into `who`
 * (one array the dispatch loop reuses: a no-op task costs the scheduler ~3 µs, and an array and
 * an object per task were a part of it); returns the inputs lost with their worker.
 */
export function locateInputs(
  run: FlowRun,
  args: readonly ArgRef[],
  who: Who[],
): readonly [number, number][] {
  if (who.length !== args.length) who.length = args.length;
  let lost: [number, number][] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.k === "value" || (a.k === "result" && run.isConstant(a.node))) who[i] = null;
    else if (a.k === "result") {
      if (run.isLost(a.node, a.child)) (lost ??= []).push([a.node, a.child]);
      who[i] = run.holderOf(a.node, a.child);
    } else {
      const h = run.childHolders[a.node];
      const table = new Int16Array(a.width).fill(-1);
      for (let c = 0; c < a.width; c++) {
        const x = h?.[c] ?? -1;
        if (x < 0 && run.state.stateOf(a.node, c) === "Success") (lost ??= []).push([a.node, c]);
        table[c] = x;
      }
      who[i] = table;
    }
  }
  return lost ?? NONE_LOST;
}

/** The first worker holding an input, if any. */
export function firstHolder(who: readonly Who[]): number | undefined {
  for (const x of who) if (typeof x === "number" && x >= 0) return x;
  return undefined;
}
