import { EAGER_RESULT_BYTES, type ComputeTask, type DoneEntry } from "../messages.ts";
import { GATHER_CHUNK, inputCount, planInputs } from "./input-gatherer.ts";
import type { ThreadResult } from "./thread-messages.ts";
import { doneEntry, type PoolTask } from "./pool-task.ts";
import type { WorkerCore as WorkerState, WorkerEvent } from "./worker-events.ts";
import { workerTaskKey, type WorkerRun } from "./worker-tasks.ts";

// How WorkerState settles task runs: fetched inputs, threads' outcomes (reported, and the `next`
// dependents started), the scheduler taking claims back, queued task runs the pool gave up, and
// results copied from a retiring peer.

/** Threads finished task runs: keep the results, report them, start the `next` dependents. */
export function reportResults(s: WorkerState, list: readonly ThreadResult[]): void {
  const byRun = new Map<number, { res: DoneEntry[]; claimed: number[] }>();
  const spec: [WorkerRun, ComputeTask][] = [];
  for (const r of list) {
    const run = s.runs.get(r.run);
    if (!run) continue;
    const key = workerTaskKey(r.n, r.c);
    const entry = run.tasks.get(key);
    if (entry) s.move(run, entry, entry.takenBack ? "dropped" : "done");
    if (entry?.takenBack) continue;
    run.durations.note(r.n, r.ms);
    if (r.bytes)
      s.store.set(
        r.run,
        r.n,
        r.c,
        Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength),
      );
    let l = byRun.get(r.run);
    if (!l) byRun.set(r.run, (l = { res: [], claimed: [] }));
    const eager =
      r.bytes && r.c < 0 && r.bytes.byteLength <= EAGER_RESULT_BYTES && run.keep.has(r.n)
        ? r.bytes
        : undefined;
    l.res.push(doneEntry(r, eager));
    const next = entry?.next;
    if (next && r.code === 0 && canSpeculate(s, run, next)) {
      l.claimed.push(next.n, next.c, next.a);
      spec.push([run, next]);
    }
  }
  for (const [run, { res, claimed }] of byRun)
    if (claimed.length === 0) s.send({ t: "done", run, res });
    else s.out.push({ k: "send", msg: { t: "done", run, res, claimed }, lazy: true });
  for (const [run, t] of spec) s.compute(run.id, [t], true);
}

/** A `next` dependent starts here only when nothing stops it and every input is held here. */
function canSpeculate(s: WorkerState, run: WorkerRun, t: ComputeTask): boolean {
  if (!s.speculate || s.stopping || s.paused || run.cancelled || !run.ready) return false;
  if (run.tasks.has(workerTaskKey(t.n, t.c)) || inputCount(t.args) > GATHER_CHUNK) return false;
  return planInputs(s.store, run.id, t.c, t.args, t.who).remote.length === 0;
}

/** The scheduler refused claims: drop those task runs (from the pool's queue if they wait there). */
export function takeBack(s: WorkerState, id: number, keys: readonly number[]): void {
  const run = s.runs.get(id);
  if (!run) return;
  for (let i = 0; i + 1 < keys.length; i += 2) {
    const entry = run.tasks.get(workerTaskKey(keys[i]!, keys[i + 1]!));
    if (!entry) continue;
    entry.takenBack = true;
    if (entry.status === "queued")
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
    const task: PoolTask = { run: id, n, c, a, m, args, deps, timeout, fast, inputs };
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
