import { EAGER_RESULT_BYTES, type ComputeTask } from "../messages.ts";
import { DoneBatch } from "../wire/done-batch.ts";
import { GATHER_CHUNK, inputCount, planInputs } from "./input-gatherer.ts";
import { NOT_RUN, type ThreadResult } from "./thread-messages.ts";
import type { PoolTask } from "./pool-task.ts";
import type { WorkerCore as WorkerState, WorkerEvent } from "./worker-events.ts";
import { workerTaskKey, type WorkerRun, type WorkerTask } from "./worker-tasks.ts";

// How WorkerState settles task runs: fetched inputs, threads' outcomes (reported, and the `next`
// dependents started), the scheduler taking claims back, queued task runs the pool gave up, and
// results copied from a retiring peer.

/** Threads finished task runs: keep the results, report them, start the `next` dependents. */
export function reportResults(s: WorkerState, list: readonly ThreadResult[]): void {
  const byRun = new Map<number, DoneGroup>();
  const groups: DoneGroup[] = [];
  const spec: [WorkerRun, ComputeTask][] = [];
  for (const r of list) {
    const run = s.runs.get(r.run);
    if (!run) continue;
    const key = workerTaskKey(r.n, r.c);
    const entry = run.tasks.get(key);
    // A chain link's outcome counts only if it was claimed as one, when the link before it succeeded.
    if (r.inline && !entry?.inThread) continue;
    if (r.code === NOT_RUN) {
      if (entry) notRun(s, run, entry);
      continue;
    }
    const where = entry?.status === "inline" ? "inline" : "queued";
    if (where === "inline") s.ranInline(run, entry!, r.ms);
    if (entry) s.move(run, entry, entry.takenBack ? "dropped" : "done");
    if (entry?.takenBack) continue;
    run.durations.note(r.n, r.ms);
    // a view of its batch's blob already (thread-batch.ts unpackResults): held as it is
    if (r.bytes) s.store.set(r.run, r.n, r.c, r.bytes);
    let l = byRun.get(r.run);
    // The scheduler accepts a claim after the `done` that makes it: a link's outcome goes in a later one.
    if (!l || (entry?.inThread && claims(l.claimed, r.n, r.c))) {
      l = { run: r.run, done: new DoneBatch(list.length), claimed: [], open: 0 };
      byRun.set(r.run, l);
      groups.push(l);
    }
    const eager =
      r.bytes && r.c < 0 && r.bytes.byteLength <= EAGER_RESULT_BYTES && run.keep.has(r.n)
        ? r.bytes
        : undefined;
    l.done.add(r.n, r.c, r.code, r.ms, r.length, r.inner, r.message, r.stack, eager);
    const next = entry?.next;
    // A link its thread runs next is claimed whenever the run goes on: refusing it would save
    // nothing (it has run, or runs now) and the scheduler would run it a second time elsewhere.
    const inThread = entry !== undefined && entry.inline > 0;
    if (next && r.code === 0 && (inThread ? canContinue(s, run) : canSpeculate(s, run, next))) {
      l.claimed.push(next.n, next.c, next.a);
      // Its thread runs it already (its outcome may be further down this list).
      if (entry.inline > 0) s.holdInThread(run, next, entry.inline - 1, where);
      else spec.push([run, next]);
    } else l.open++;
  }
  for (const { run } of groups) s.runs.get(run)!.durations.save();
  // Lazy only while this worker goes on with every chain itself: else the scheduler has work to place.
  for (const { run, done, claimed, open } of groups)
    if (claimed.length === 0) s.send(done.toMessage(run));
    else if (open > 0) s.send(done.toMessage(run, claimed));
    else s.out.push({ k: "send", msg: done.toMessage(run, claimed), lazy: true });
  for (const [run, t] of spec) s.compute(run.id, [t], true);
}

/** A claimed chain link its thread did not run: back to the scheduler, unless it took it back. */
function notRun(s: WorkerState, run: WorkerRun, entry: WorkerTask): void {
  if (entry.takenBack) return s.move(run, entry, "dropped");
  s.move(run, entry, "handed-back");
  s.send({ t: "stolen", keys: [run.id, entry.n, entry.c] });
}

/** One `done` to send: outcomes of one run, the dependents they claim, how many claim none. */
interface DoneGroup {
  readonly run: number;
  readonly done: DoneBatch;
  readonly claimed: number[];
  open: number;
}

/** Whether flat [node, child, attempt] triples claim (n, c). */
function claims(claimed: readonly number[], n: number, c: number): boolean {
  for (let i = 0; i + 2 < claimed.length; i += 3)
    if (claimed[i] === n && claimed[i + 1] === c) return true;
  return false;
}

/** A `next` dependent starts here only when nothing stops it and every input is held here. */
function canSpeculate(s: WorkerState, run: WorkerRun, t: ComputeTask): boolean {
  if (!s.speculate || s.stopping || s.paused || run.cancelled || !run.ready) return false;
  if (run.tasks.has(workerTaskKey(t.n, t.c)) || inputCount(t.args) > GATHER_CHUNK) return false;
  return planInputs(s.store, run.id, t.c, t.args, t.who).remote.length === 0;
}

/** Whether a run goes on here (a link already in its thread may then be claimed). */
function canContinue(s: WorkerState, run: WorkerRun): boolean {
  return s.speculate && !run.cancelled && run.ready;
}

/** The scheduler refused claims: drop those task runs (from the pool's queue if they wait there). */
export function takeBack(s: WorkerState, id: number, keys: readonly number[]): void {
  const run = s.runs.get(id);
  if (!run) return;
  for (let i = 0; i + 1 < keys.length; i += 2) {
    const entry = run.tasks.get(workerTaskKey(keys[i]!, keys[i + 1]!));
    if (!entry) continue;
    entry.takenBack = true;
    // A chain link in a thread is not in the pool's queue: its outcome is dropped when it comes.
    if (entry.status === "queued" && !entry.inThread)
      s.out.push({ k: "pool-remove", task: { run: id, n: entry.n, c: entry.c } });
  }
}

/** Queued task runs given up (stolen, or retiring): the scheduler places them elsewhere. */
export function handBack(s: WorkerState, keys: readonly number[]): void {
  const back: number[] = [];
  for (let i = 0; i + 2 < keys.length; i += 3) {
    const run = s.runs.get(keys[i]!);
    const key = workerTaskKey(keys[i + 1]!, keys[i + 2]!);
    const entry = run?.tasks.get(key);
    if (entry) s.move(run!, entry, "handed-back");
    if (!entry?.takenBack) back.push(keys[i]!, keys[i + 1]!, keys[i + 2]!);
  }
  s.send({ t: "stolen", keys: back });
}

/** A fetch for a task run ended: keep what came, then run it, or report what was lost. */
export function inputsReady(
  s: WorkerState,
  ev: Extract<WorkerEvent, { type: "inputs-ready" }>,
): void {
  const { base } = ev;
  const run = s.runs.get(base.run);
  if (!run) return;
  for (const [n, c, bytes] of ev.fetched) s.store.set(base.run, n, c, bytes);
  const key = workerTaskKey(base.n, base.c);
  const entry = run.tasks.get(key);
  if (!entry) return;
  if (entry.takenBack) return s.move(run, entry, "dropped");
  if (ev.lost.length > 0) {
    s.move(run, entry, "missing");
    s.send({ t: "missing", run: base.run, n: base.n, c: base.c, lost: [...ev.lost] });
  } else if (s.stopping) {
    s.move(run, entry, "handed-back");
    s.send({ t: "stolen", keys: [base.run, base.n, base.c] });
  } else {
    s.move(run, entry, "queued");
    // one literal of poolTask's shape (no spread: see pool-task.ts)
    const { run: id, n, c, a, m, args, timeout, fast } = base;
    const deps = ev.deps;
    const inputs = deps ? [] : ev.inputs;
    const task: PoolTask = {
      run: id,
      n,
      c,
      a,
      m,
      args,
      deps,
      timeout,
      fast,
      inputs,
      chain: undefined,
    };
    s.out.push({ k: "execute", tasks: [task] });
  }
}

/** Results copied from a retiring peer: keep those that came, tell the scheduler which. */
export function replicated(s: WorkerState, ev: Extract<WorkerEvent, { type: "replicated" }>): void {
  const got: string[] = [];
  if (s.runs.has(ev.run))
    ev.keys.forEach((k, i) => {
      const v = ev.values[i];
      if (!v) return;
      s.store.setKey(ev.run, k, v);
      got.push(k);
    });
  s.send({ t: "replicated", id: ev.id, run: ev.run, keys: got });
}
