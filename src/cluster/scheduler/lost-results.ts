import { WorkerLostError } from "../errors.ts";
import type { FlowRun } from "./flow-run.ts";
import { gather } from "./result-gather.ts";
import type { SchedulerState } from "./scheduler-state.ts";
import { taskKey } from "./task-record.ts";
import type { WorkerRecord } from "./worker-record.ts";

/** A worker dying while running a task this many times fails the task (Dask's allowed-failures). */
export const ALLOWED_DEATHS = 3;

/** A worker was lost: its task runs go back to the queue, or fail once ALLOWED_DEATHS workers died running one. */
export function requeueTasksOf(s: SchedulerState, w: WorkerRecord): void {
  for (const rec of w.assigned) {
    rec.run.active.delete(rec.key);
    if (rec.started && !rec.recompute) {
      const names = rec.run.noteDeath(rec.key, w.name);
      if (names.length >= ALLOWED_DEATHS) {
        const err = new WorkerLostError(rec.run.label(rec.node, rec.child), names);
        s.apply(
          rec.run,
          rec.run.state.finished(rec.node, rec.child, { type: "Failed", message: err.message }),
        );
        continue;
      }
    }
    s.enqueue(rec);
  }
}

/** A worker could not fetch some inputs of a task (their holder died): recompute them, then retry the task. */
export function inputsMissing(
  s: SchedulerState,
  run: FlowRun,
  worker: number,
  node: number,
  child: number,
  lost: number[],
): void {
  for (let i = 0; i < lost.length; i += 3) {
    const [n, c, holder] = [lost[i]!, lost[i + 1]!, lost[i + 2]!];
    if (run.holderOf(n, c) === holder) run.setHolder(n, c, -1);
  }
  const rec = run.active.get(taskKey(node, child));
  if (!rec || rec.worker !== worker) return;
  run.active.delete(rec.key);
  s.workers.get(worker)?.assigned.delete(rec);
  s.enqueue(rec);
}

/** A recomputation ended: the tasks waiting on it are queued once all their inputs are back, or fail with it. */
export function recomputed(
  s: SchedulerState,
  run: FlowRun,
  node: number,
  child: number,
  failure: string | undefined,
): void {
  const k = taskKey(node, child);
  const waiters = run.recomputing.get(k) ?? [];
  run.recomputing.delete(k);
  for (const rec of waiters) {
    if (failure !== undefined && !rec.recompute) {
      const message = `input '${run.label(node, child)}' was lost with its worker and recomputing it failed: ${failure}`;
      s.apply(run, run.state.finished(rec.node, rec.child, { type: "Failed", message }));
    } else if (--rec.waiting === 0) s.enqueue(rec);
  }
  if (run.gathering) gather(s, run);
}
