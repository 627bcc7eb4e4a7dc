import type { RetirementMessage } from "../messages.ts";
import type { SchedulerToWorker } from "../messages.ts";
import type { FlowRun } from "./flow-run.ts";
import type { WorkerRecord } from "./worker-record.ts";

/** Keys per copy request (bounds each frame on the peer link, as the workers' own fetches do). */
const COPY_BATCH = 32_768;

/** What the retirement planner needs from the scheduler. */
export interface RetirementHost {
  readonly workers: ReadonlyMap<number, WorkerRecord>;
  readonly runs: ReadonlyMap<number, FlowRun>;
  send(to: number, msg: SchedulerToWorker): void;
  /** Makes sure worker `to` has been told about `run` (it gets the `run` message once). */
  tellRun(run: FlowRun, to: number): void;
  /** The scheduler's clock (ms since the epoch). */
  now(): number;
}

interface Leaving {
  readonly w: WorkerRecord;
  /** After this the worker goes whatever is still in flight (it bounds itself by the same grace). */
  readonly deadline: number;
  /** Results ("run:node|child") already asked to be copied, or given up on. */
  readonly tried: Set<string>;
  /** Copy requests in flight. */
  pending: number;
  /** It may hold results not yet looked at (new results, a receiver gone). */
  dirty: boolean;
  letGo: boolean;
}

interface CopyRequest {
  readonly retiree: number;
  readonly receiver: number;
  readonly run: number;
  readonly keys: readonly string[];
}

/**
 * Graceful retirement (Dask's retire_workers): a worker that said `goodbye` gets no new tasks; the
 * still-needed results it alone holds are copied to other live workers (each receiver fetches
 * them from it with the peer `get` path), least loaded receivers first, and their new holders
 * recorded; once it has no task left and every copy has answered it is told `retired` and goes.
 * Results nothing needs any more (released) are not moved. A copy that fails, or no receiver
 * left, leaves the result to the lost-worker path (recomputed when needed).
 */
export class Retirements {
  private readonly leaving = new Map<number, Leaving>();
  private readonly requests = new Map<number, CopyRequest>();
  private nextId = 1;

  constructor(private readonly host: RetirementHost) {}

  start(w: WorkerRecord, graceMs: number): void {
    if (this.leaving.has(w.id)) return;
    this.leaving.set(w.id, {
      w,
      deadline: this.host.now() + graceMs,
      tried: new Set(),
      pending: 0,
      dirty: true,
      letGo: false,
    });
  }

  /** The worker's holdings or tasks may have changed. */
  touch(id: number): void {
    const l = this.leaving.get(id);
    if (l) l.dirty = true;
  }

  /** Plans copies for each leaving worker and lets go those with nothing left to do. */
  step(): void {
    const now = this.host.now();
    for (const l of this.leaving.values()) {
      if (l.letGo) continue;
      const late = now >= l.deadline;
      if (l.dirty && !late) {
        l.dirty = false;
        this.plan(l);
      }
      if (l.w.assigned === 0 && (l.pending === 0 || late)) {
        l.letGo = true;
        this.host.send(l.w.id, { t: "retired" } satisfies RetirementMessage);
      }
    }
  }

  /** A receiver's answer: the keys it now holds. */
  replicated(receiver: number, id: number, got: readonly string[]): void {
    const req = this.requests.get(id);
    if (!req || req.receiver !== receiver) return;
    this.requests.delete(id);
    const run = this.host.runs.get(req.run);
    if (run && !run.finished)
      for (const k of got) {
        const bar = k.indexOf("|");
        const n = Number(k.slice(0, bar));
        const c = Number(k.slice(bar + 1));
        // Released meanwhile (-1) or already lost: the copy is not needed.
        if (run.holderOf(n, c) === req.retiree) run.setHolder(n, c, receiver);
      }
    const l = this.leaving.get(req.retiree);
    if (l) l.pending--;
    // A receiver that is itself leaving now holds more.
    this.touch(receiver);
  }

  /** A worker disconnected (after retiring or not): copies to it are planned again elsewhere. */
  workerGone(id: number): void {
    this.leaving.delete(id);
    for (const [rid, req] of this.requests) {
      if (req.retiree === id) this.requests.delete(rid);
      else if (req.receiver === id) {
        this.requests.delete(rid);
        const l = this.leaving.get(req.retiree);
        if (!l) continue;
        l.pending--;
        l.dirty = true;
        for (const k of req.keys) l.tried.delete(`${req.run}:${k}`);
      }
    }
  }

  private plan(l: Leaving): void {
    const all = [...this.host.workers.values()].filter((w) => !w.closing && w !== l.w);
    if (all.length === 0) return;
    const receivers = all.some((w) => !w.paused) ? all.filter((w) => !w.paused) : all;
    const held = this.heldBy(l);
    let count = 0;
    for (const [, keys] of held) count += keys.length;
    if (count === 0) return;
    // Result sizes are unknown here: each counts as the worker's mean.
    const each = Math.max(1, l.w.bytes / count);
    const load = new Map(receivers.map((w) => [w, w.bytes]));
    for (const [run, keys] of held) {
      const byReceiver = new Map<WorkerRecord, string[]>();
      for (const k of keys) {
        let best = receivers[0]!;
        for (const w of receivers) {
          const d = load.get(w)! - load.get(best)!;
          if (d < 0 || (d === 0 && w.assigned < best.assigned)) best = w;
        }
        load.set(best, load.get(best)! + each);
        let list = byReceiver.get(best);
        if (!list) byReceiver.set(best, (list = []));
        list.push(k);
      }
      for (const [w, ks] of byReceiver) {
        this.host.tellRun(run, w.id);
        for (let i = 0; i < ks.length; i += COPY_BATCH) {
          const keys = ks.slice(i, i + COPY_BATCH);
          const id = this.nextId++;
          this.requests.set(id, { retiree: l.w.id, receiver: w.id, run: run.id, keys });
          l.pending++;
          for (const k of keys) l.tried.add(`${run.id}:${k}`);
          this.host.send(w.id, {
            t: "replicate",
            id,
            run: run.id,
            from: l.w.id,
            keys,
          } satisfies RetirementMessage);
        }
      }
    }
  }

  /** The unreleased results ("node|child") the worker alone holds and that were not tried yet, by run. */
  private heldBy(l: Leaving): [FlowRun, string[]][] {
    const id = l.w.id;
    const out: [FlowRun, string[]][] = [];
    for (const run of this.host.runs.values()) {
      if (run.finished) continue;
      const keys: string[] = [];
      const want = (k: string) => {
        if (!l.tried.has(`${run.id}:${k}`)) keys.push(k);
      };
      for (let n = 0; n < run.holder.length; n++) {
        if (run.isConstant(n)) continue;
        if (run.holder[n] === id) want(`${n}|-1`);
        const h = run.childHolders[n];
        if (h) for (let c = 0; c < h.length; c++) if (h[c] === id) want(`${n}|${c}`);
      }
      if (keys.length) out.push([run, keys]);
    }
    return out;
  }
}
