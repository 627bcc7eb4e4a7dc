import type { WorkerToScheduler } from "../messages.ts";
import { DoneReader, type DoneMessage } from "../wire/done-batch.ts";
import type { FlowRun } from "./flow-run.ts";
import type { SchedulerCore } from "./scheduler-core.ts";
import { noteClaims, settleClaims } from "./speculation-claims.ts";
import { transition } from "./task-transitions.ts";
import type { WorkerRecord } from "./worker-record.ts";

// Workers' reports about task runs, as transitions: each finds the task runs a report names,
// ignores those no longer on that worker (a report that crossed a steal or a loss), and moves the
// rest through the table (task-transitions.ts), which makes every change.

/** The first news of a run tells its client it started. */
function notifyStarted(s: SchedulerCore, run: FlowRun): void {
  if (run.startedSent) return;
  run.startedSent = true;
  s.send(run.client, { t: "started", ref: run.ref });
}

/** `started`: slow task runs ([node, child] pairs) began: processing -> running. */
export function tasksStarted(
  s: SchedulerCore,
  run: FlowRun,
  worker: number,
  keys: readonly number[],
  stim: string,
): void {
  notifyStarted(s, run);
  for (let i = 0; i < keys.length; i += 2) {
    const rec = run.active.get(keys[i]!, keys[i + 1]!);
    if (rec && rec.worker === worker && rec.status === "processing") {
      transition(s, rec, "running", stim, undefined);
      if (run.feed)
        run.feed.started(rec.node, rec.child, worker, s.workers.get(worker)!.name, s.now);
    }
  }
}

/**
 * `done`: task runs ended: -> finished. The dependents the worker claimed (started on its own)
 * are accepted or taken back once the outcomes are applied (speculation-claims.ts).
 */
export function tasksDone(
  s: SchedulerCore,
  run: FlowRun,
  w: WorkerRecord,
  m: DoneMessage,
  stim: string,
): void {
  notifyStarted(s, run);
  const claimed = m.claimed;
  if (!claimed) return finishReported(s, run, w, m, stim);
  noteClaims(run, w.id, claimed);
  try {
    finishReported(s, run, w, m, stim);
  } finally {
    settleClaims(s, run, w, stim);
  }
}

/** Each reported task run still on `w` -> finished (one reader and one argument for them all). */
function finishReported(
  s: SchedulerCore,
  run: FlowRun,
  w: WorkerRecord,
  m: DoneMessage,
  stim: string,
): void {
  const done = new DoneReader(m);
  const arg = { worker: w, done };
  for (let i = 0; i < done.size; i++) {
    done.at(i);
    const node = done.node;
    const child = done.child;
    const rec = run.active.get(node, child);
    if (!rec || rec.worker !== w.id) continue;
    // a claimed (speculated) task run, once accepted, is reported to the feed like any other
    run.feed?.done(node, child, w.id, w.name, s.now, done.ms);
    transition(s, rec, "finished", stim, arg);
  }
}

/** `missing`: a task's inputs were gone from their holder: forget those holders; the task -> queued (placing it recomputes them). */
export function inputsMissing(
  s: SchedulerCore,
  run: FlowRun,
  worker: number,
  m: Extract<WorkerToScheduler, { t: "missing" }>,
  stim: string,
): void {
  for (let i = 0; i < m.lost.length; i += 3) {
    const [n, c, holder] = [m.lost[i]!, m.lost[i + 1]!, m.lost[i + 2]!];
    if (run.holderOf(n, c) === holder) run.setHolder(n, c, -1);
  }
  const rec = run.active.get(m.n, m.c);
  if (rec && rec.worker === worker) transition(s, rec, "queued", stim, {});
}

/** `stolen`: task runs a worker handed back unstarted ([run, node, child] triples): processing -> queued. */
export function stolen(
  s: SchedulerCore,
  w: WorkerRecord,
  keys: readonly number[],
  stim: string,
): void {
  w.stealing = false;
  for (let i = 0; i + 2 < keys.length; i += 3) {
    const rec = s.runs.get(keys[i]!)?.active.get(keys[i + 1]!, keys[i + 2]!);
    if (rec && rec.worker === w.id && rec.status === "processing")
      transition(s, rec, "queued", stim, { stolen: true });
  }
}
