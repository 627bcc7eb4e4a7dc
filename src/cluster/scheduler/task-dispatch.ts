import type { ComputeTask, Who } from "../messages.ts";
import { locateInputs, pickRoomiest, preferNear, windowFor } from "./placement.ts";
import type { SchedulerState } from "./scheduler-state.ts";
import type { TaskRecord } from "./task-record.ts";
import type { WorkerRecord } from "./worker-record.ts";

/** Hands queued tasks to workers with room, preferring the worker that holds an input. */
export function dispatch(s: SchedulerState): void {
  if (s.workers.size === 0) return;
  const ws = [...s.workers.values()].filter((w) => !w.closing);
  if (ws.length === 0) return;
  const room = new Map<WorkerRecord, number>();
  for (const w of ws) room.set(w, windowFor(w.slots, s.avgMs) - w.assigned.size);
  let best = pickRoomiest(ws, room);
  while (best) {
    const rec = s.queue.shift();
    if (!rec) break;
    const run = rec.run;
    if (run.finished || (!rec.recompute && run.state.stateOf(rec.node, rec.child) !== "Running"))
      continue;
    const who = locate(s, rec);
    if (!who) continue;
    let target = best;
    const near = who.find((x): x is number => typeof x === "number" && x >= 0);
    const nw = near === undefined ? undefined : s.workers.get(near);
    if (nw && !rec.stolen && preferNear(nw, best, room)) target = nw;
    assign(s, rec, target, who);
    const left = room.get(target)! - 1;
    room.set(target, left);
    if (target === best) best = pickRoomiest(ws, room);
  }
}

/** Where each input of a task is; undefined (and recomputations started) when one was lost. */
function locate(s: SchedulerState, rec: TaskRecord): Who[] | undefined {
  const { who, lost } = locateInputs(rec.run, rec.args);
  if (lost.length === 0) return who;
  rec.waiting = lost.length;
  for (const [n, c] of lost) s.recompute(rec.run, n, c, rec);
  return undefined;
}

function assign(s: SchedulerState, rec: TaskRecord, w: WorkerRecord, who: Who[]): void {
  const run = rec.run;
  rec.worker = w.id;
  run.active.set(rec.key, rec);
  w.assigned.add(rec);
  s.tellRun(run, w.id);
  let batch = w.outgoing.get(run.id);
  if (!batch) w.outgoing.set(run.id, (batch = []));
  const task: ComputeTask = {
    n: rec.node,
    c: rec.child,
    a: rec.attempt,
    m: rec.measure,
    args: rec.args.map((a) => (a.k === "value" ? null : a)),
    who,
  };
  batch.push(task);
}
