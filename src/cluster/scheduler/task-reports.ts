import { OutcomeCode, outcomeOfDone, type DoneEntry } from "../messages.ts";
import type { FlowRun } from "./flow-run.ts";
import { recomputed } from "./lost-results.ts";
import type { SchedulerState } from "./scheduler-state.ts";
import { taskKey } from "./task-record.ts";
import type { WorkerRecord } from "./worker-record.ts";

/** A worker's `started`: these task runs ([node, child] pairs) are running on it. */
export function tasksStarted(
  s: SchedulerState,
  run: FlowRun,
  worker: number,
  keys: number[],
): void {
  for (let i = 0; i < keys.length; i += 2) {
    const rec = run.active.get(taskKey(keys[i]!, keys[i + 1]!));
    if (rec && rec.worker === worker) rec.started = true;
  }
  notifyStarted(s, run);
}

function notifyStarted(s: SchedulerState, run: FlowRun): void {
  if (run.startedSent) return;
  run.startedSent = true;
  s.send(run.client, { t: "started", ref: run.ref });
}

/** A worker's `done`: task runs ended; their outcomes go to the graph state (or to the tasks waiting on a recomputation). */
export function tasksDone(
  s: SchedulerState,
  run: FlowRun,
  w: WorkerRecord,
  res: DoneEntry[],
): void {
  notifyStarted(s, run);
  for (const entry of res) {
    const [node, child, code, ms, , , message, , bytes] = entry;
    const key = taskKey(node, child);
    const rec = run.active.get(key);
    if (!rec || rec.worker !== w.id) continue;
    run.active.delete(key);
    w.assigned.delete(rec);
    w.executed++;
    s.completed++;
    s.avgMs = s.avgMs < 0 ? ms : s.avgMs * 0.9 + ms * 0.1;
    if (run.finished) continue;
    if (code === OutcomeCode.success) run.setHolder(node, child, w.id);
    if (bytes && code === OutcomeCode.success)
      (run.early ??= new Map()).set(
        `${node}|${child}`,
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      );
    if (rec.recompute) {
      recomputed(
        s,
        run,
        node,
        child,
        code === OutcomeCode.success ? undefined : (message ?? "failed"),
      );
      continue;
    }
    s.apply(run, run.state.finished(node, child, outcomeOfDone(entry)));
  }
}
