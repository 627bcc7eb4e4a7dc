import type { SchedulerState } from "./scheduler-state.ts";
import { planSteal } from "./steal-plan.ts";
import { taskKey } from "./task-record.ts";
import type { WorkerRecord } from "./worker-record.ts";

/** Work stealing: asks a worker with a backlog to hand back queued task runs for an idle one (see planSteal). */
export function balance(s: SchedulerState): void {
  if (s.workers.size < 2) return;
  const req = planSteal([...s.workers.values()], s.avgMs);
  if (!req) return;
  req.from.stealing = true;
  s.send(req.from.id, { t: "steal", max: req.max });
}

/** A worker handed back task runs it had not started ([run, node, child] triples): place them again. */
export function stolen(s: SchedulerState, w: WorkerRecord, keys: number[]): void {
  w.stealing = false;
  for (let i = 0; i + 2 < keys.length; i += 3) {
    const run = s.runs.get(keys[i]!);
    const rec = run?.active.get(taskKey(keys[i + 1]!, keys[i + 2]!));
    if (!run || !rec || rec.worker !== w.id || rec.started) continue;
    run.active.delete(rec.key);
    w.assigned.delete(rec);
    rec.stolen = true;
    s.enqueue(rec);
  }
}
