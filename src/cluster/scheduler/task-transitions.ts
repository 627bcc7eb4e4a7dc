import { InvalidTransitionError, WorkerLostError } from "../errors.ts";
import { OutcomeCode, type Who } from "../messages.ts";
import { packHint } from "../next-hint.ts";
import { ComputeBatch } from "../wire/compute-batch.ts";
import type { DoneReader } from "../wire/done-batch.ts";
import type { SchedulerCore } from "./scheduler-core.ts";
import { speculationHint } from "./speculation-hint.ts";
import type { TaskRecord } from "./flow-run.ts";
import type { TaskStatus } from "./task-status.ts";
import type { WorkerRecord } from "./worker-record.ts";

/** A worker dying while running a task this many times fails the task (Dask's allowed-failures). */
export const ALLOWED_DEATHS = 3;

/** What each target state needs to know besides the task. */
export interface TransitionArgs {
  /**
   * placed on `worker`, whose inputs are at `who`; `claimed`: the worker started it on its own
   * (speculation-claims.ts), so no compute is sent
   */
  processing: { readonly worker: WorkerRecord; readonly who: Who[]; readonly claimed?: boolean };
  /** these lost inputs ([node, child]) are recomputed first */
  waiting: { readonly lost: readonly (readonly [number, number])[] };
  /** back to the queue: handed back by a busy worker (`stolen`), or its worker or an input was lost */
  queued: { readonly stolen?: boolean; readonly lostWorker?: string };
  running: undefined;
  /** the worker's report: `done` at this task run */
  finished: { readonly worker: WorkerRecord; readonly done: DoneReader };
  erred: { readonly message: string };
}

type Step<To extends TaskStatus> = (
  s: SchedulerCore,
  rec: TaskRecord,
  arg: TransitionArgs[To],
) => void;

/** Takes a task off its worker's books. */
function detach(s: SchedulerCore, rec: TaskRecord): void {
  rec.run.active.delete(rec.node, rec.child);
  const w = s.workers.get(rec.worker);
  if (w) w.assigned--;
  rec.worker = -1;
}

function assign(s: SchedulerCore, rec: TaskRecord, arg: TransitionArgs["processing"]) {
  const { worker, who } = arg;
  const run = rec.run;
  rec.worker = worker.id;
  run.active.set(rec);
  worker.assigned++;
  if (arg.claimed) return;
  s.tellRun(run, worker.id);
  let batch = worker.outgoing.get(run.id);
  if (!batch) worker.outgoing.set(run.id, (batch = new ComputeBatch()));
  batch.push(rec.node, rec.child, rec.attempt, rec.measure, rec.args, who);
  // Only a whole (non-mapped) task can carry a hint: map children never pay for speculation.
  if (rec.child >= 0 || !s.speculate) return;
  const next = speculationHint(run, rec, worker.id);
  if (next) {
    let hints = worker.outgoingHints.get(run.id);
    if (!hints) worker.outgoingHints.set(run.id, (hints = []));
    hints.push([rec.node, rec.child, packHint(next)]);
  }
}

function awaitInputs(s: SchedulerCore, rec: TaskRecord, { lost }: TransitionArgs["waiting"]) {
  rec.waiting = lost.length;
  for (const [n, c] of lost) s.recompute(rec.run, n, c, rec);
}

function requeue(s: SchedulerCore, rec: TaskRecord, arg: TransitionArgs["queued"]) {
  if (rec.worker >= 0) detach(s, rec);
  if (arg.stolen) rec.stolen = true;
  s.queue.push(rec);
}

function finish(s: SchedulerCore, rec: TaskRecord, { worker, done }: TransitionArgs["finished"]) {
  const run = rec.run;
  detach(s, rec);
  const { node, child } = rec;
  const code = done.code;
  const ms = done.ms;
  worker.executed++;
  s.completed++;
  s.avgMs = s.avgMs < 0 ? ms : s.avgMs * 0.9 + ms * 0.1;
  if (run.finished) return;
  if (code === OutcomeCode.success) {
    run.setHolder(node, child, worker.id);
    const bytes = done.bytes;
    if (bytes)
      (run.early ??= new Map()).set(
        `${node}|${child}`,
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      );
  }
  if (rec.recompute)
    s.recomputed(
      run,
      node,
      child,
      code === OutcomeCode.success ? undefined : (done.message ?? "failed"),
    );
  else s.apply(run, run.state.finished(node, child, done.outcome()));
}

function fail(s: SchedulerCore, rec: TaskRecord, { message }: TransitionArgs["erred"]) {
  if (rec.worker >= 0) detach(s, rec);
  if (rec.recompute) s.recomputed(rec.run, rec.node, rec.child, message);
  else s.apply(rec.run, rec.run.state.finished(rec.node, rec.child, { type: "Failed", message }));
}

type Table = {
  readonly [
    K in `${TaskStatus}>${TaskStatus}`
  ]?: K extends `${string}>${infer To extends TaskStatus}` ? Step<To> : never;
};

/**
 * Every allowed (from, to) pair of a task run's status and the step that carries it out (Dask's
 * _TRANSITIONS_TABLE). Any other pair is an InvalidTransitionError.
 */
export const TRANSITIONS: Table = {
  "queued>processing": assign,
  "queued>waiting": awaitInputs,
  "waiting>queued": requeue,
  "waiting>erred": fail,
  "processing>running": () => {},
  "processing>queued": requeue,
  "processing>finished": finish,
  "running>queued": requeue,
  "running>finished": finish,
  "running>erred": fail,
};

/** TRANSITIONS by from, then to: a lookup per transition without building its "from>to" string. */
const STEPS = new Map<string, Map<string, Step<TaskStatus>>>();
for (const [pair, step] of Object.entries(TRANSITIONS)) {
  const [from, to] = pair.split(">") as [TaskStatus, TaskStatus];
  if (!STEPS.has(from)) STEPS.set(from, new Map());
  STEPS.get(from)!.set(to, step as Step<TaskStatus>);
}

/**
 * Moves a task run to status `to` by the table's step for (its status, to), logging it under the
 * stimulus; throws InvalidTransitionError when no step joins the two.
 */
export function transition<To extends TaskStatus>(
  s: SchedulerCore,
  rec: TaskRecord,
  to: To,
  stimulusId: string,
  arg: TransitionArgs[To],
): void {
  const from = rec.status;
  const step = STEPS.get(from)?.get(to) as Step<To> | undefined;
  if (!step)
    throw new InvalidTransitionError(
      `${rec.run.id}/${rec.run.label(rec.node, rec.child)}`,
      from,
      to,
      stimulusId,
      s.log.recent(rec.run.id, rec.node, rec.child),
    );
  rec.status = to;
  s.log.add(rec.run.id, rec.node, rec.child, from, to, stimulusId, s.now);
  step(s, rec, arg);
}

/** The names of the workers that died running a task, once ALLOWED_DEATHS did; else undefined. */
export function deathsFail(rec: TaskRecord, worker: string): string | undefined {
  if (rec.status !== "running" || rec.recompute) return undefined;
  const names = rec.run.noteDeath(rec.key, worker);
  if (names.length < ALLOWED_DEATHS) return undefined;
  return new WorkerLostError(rec.run.label(rec.node, rec.child), names).message;
}
