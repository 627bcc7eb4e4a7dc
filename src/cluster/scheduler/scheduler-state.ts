import type { GraphCommand } from "../../graph/commands.ts";
import { snapshotOf } from "../../graph/snapshot.ts";
import type { GraphSpec } from "../../graph/task-spec.ts";
import { WorkerLostError } from "../errors.ts";
import {
  OutcomeCode,
  outcomeOfDone,
  type ComputeTask,
  type DoneEntry,
  type PeerInfo,
  type Who,
  type WorkerHeartbeat,
} from "../messages.ts";
import type { Message } from "../wire/connection.ts";
import { decodeValue } from "../wire/codec.ts";
import { FlowRun } from "./flow-run.ts";
import { makeRecord, taskKey, type TaskRecord } from "./task-record.ts";
import { TaskQueue } from "./task-queue.ts";
import { planSteal } from "./steal-plan.ts";
import { WorkerRecord } from "./worker-record.ts";
import { locateInputs, pickRoomiest, preferNear, windowFor } from "./placement.ts";
import { planGather, storeGathered } from "./gather-plan.ts";
import { Retirements } from "./retirement.ts";

export type SchedulerCommand =
  | {
      readonly k: "send";
      readonly to: number;
      readonly msg: Message;
      readonly bulk?: readonly (Buffer | null)[];
      /** Nobody waits on it (a task's end for progress, a release): it may wait for company. */
      readonly lazy?: boolean;
    }
  | {
      readonly k: "retry";
      readonly run: number;
      readonly node: number;
      readonly child: number;
      readonly delay: number;
    };

/** A worker dying while running a task this many times fails the task (Dask's allowed-failures). */
export const ALLOWED_DEATHS = 3;

/**
 * The scheduler's pure core: flow runs (a GraphState each), the worker table and task placement.
 * Events go in as method calls; the messages to send and timers to set come out of `drain()`.
 * It does no I/O: the SchedulerServer shell carries the commands out.
 */
export class SchedulerState {
  readonly workers = new Map<number, WorkerRecord>();
  readonly runs = new Map<number, FlowRun>();
  private readonly queue = new TaskQueue();
  private readonly retirements = new Retirements({
    workers: this.workers,
    runs: this.runs,
    send: (to, msg) => this.send(to, msg),
    tellRun: (run, to) => this.tellRun(run, to),
  });
  private out: SchedulerCommand[] = [];
  private nextRun = 1;
  /** Moving average of task durations (ms), which sets how many tasks a worker may hold. */
  avgMs = -1;
  completed = 0;

  drain(): SchedulerCommand[] {
    this.dispatch();
    if (this.queue.size === 0) this.balance();
    this.retirements.step();
    for (const w of this.workers.values()) {
      if (w.outgoing.size === 0) continue;
      for (const [run, tasks] of w.outgoing) this.send(w.id, { t: "compute", run, tasks });
      w.outgoing.clear();
    }
    const out = this.out;
    this.out = [];
    return out;
  }

  get queued(): number {
    return this.queue.size;
  }

  get processing(): number {
    let n = 0;
    for (const run of this.runs.values()) n += run.active.size;
    return n;
  }

  addWorker(id: number, name: string, address: string, slots: number): void {
    const peers: PeerInfo[] = [...this.workers.values()].map((w) => [w.id, w.name, w.address]);
    this.workers.set(id, new WorkerRecord(id, name, address, slots));
    this.send(id, { t: "welcome", id, peers });
    for (const w of this.workers.values())
      if (w.id !== id) this.send(w.id, { t: "peer", peer: [id, name, address] });
  }

  removeWorker(id: number): void {
    const w = this.workers.get(id);
    if (!w) return;
    this.workers.delete(id);
    this.retirements.workerGone(id);
    for (const o of this.workers.values()) this.send(o.id, { t: "peer-gone", id });
    for (const run of this.runs.values()) {
      run.dropWorker(id);
      run.workers.delete(id);
    }
    for (const rec of w.assigned) {
      rec.run.active.delete(rec.key);
      if (rec.started && !rec.recompute) {
        const names = rec.run.noteDeath(rec.key, w.name);
        if (names.length >= ALLOWED_DEATHS) {
          const err = new WorkerLostError(rec.run.label(rec.node, rec.child), names);
          this.apply(
            rec.run,
            rec.run.state.finished(rec.node, rec.child, { type: "Failed", message: err.message }),
          );
          continue;
        }
      }
      this.enqueue(rec);
    }
    for (const run of this.runs.values()) if (run.gathering) this.gather(run);
  }

  /** A worker is leaving gracefully: it gets no new tasks and its results are handed over (see Retirements). */
  retire(id: number, graceMs = 10_000): void {
    const w = this.workers.get(id);
    if (!w) return;
    w.closing = true;
    this.retirements.start(w, graceMs);
  }

  submit(client: number, m: Message): void {
    const spec = decodeValue<GraphSpec>(m.graph as Buffer);
    const run = new FlowRun(
      this.nextRun++,
      client,
      m.ref as number,
      m.flowRunId as string,
      m.flowName as string,
      m.bundle as string,
      m.graph as Buffer,
      m.params as Buffer,
      spec,
      new Set(m.keep as number[]),
    );
    this.runs.set(run.id, run);
    this.apply(run, run.state.start());
  }

  cancel(client: number, ref: number, message = "the flow run was cancelled"): void {
    for (const run of this.runs.values()) {
      if (run.client !== client || (ref >= 0 && run.ref !== ref) || run.finished) continue;
      for (const w of run.workers) this.send(w, { t: "cancel", run: run.id });
      this.apply(run, run.state.cancel(message));
    }
  }

  /** A client went away: its runs end and their results are dropped. */
  removeClient(client: number): void {
    this.cancel(client, -1, "the client disconnected");
    for (const run of [...this.runs.values()]) if (run.client === client) this.forget(run);
  }

  retryDue(runId: number, node: number, child: number): void {
    const run = this.runs.get(runId);
    if (run && !run.finished) this.apply(run, run.state.retryDue(node, child));
  }

  /** A worker's heartbeat: it is alive (see SchedulerServer's sweep), and how full it is. */
  heartbeat(id: number, hb: Message = { t: "hb" }): void {
    this.workers.get(id)?.noteHeartbeat(hb as Partial<WorkerHeartbeat>);
  }

  fromWorker(id: number, m: Message): void {
    const w = this.workers.get(id);
    if (!w) return;
    w.lastSeen = Date.now();
    if (w.closing) this.retirements.touch(id);
    if (m.t === "stolen") return this.stolen(w, m.keys as number[]);
    if (m.t === "replicated")
      return this.retirements.replicated(id, m.id as number, m.keys as string[]);
    const run = this.runs.get(m.run as number);
    switch (m.t) {
      case "started":
        if (run) this.started(run, id, m.keys as number[]);
        break;
      case "done":
        if (run) this.done(run, w, m.res as DoneEntry[]);
        break;
      case "missing":
        if (run) this.missing(run, id, m.n as number, m.c as number, m.lost as number[]);
        break;
      case "gathered":
        if (run) this.gathered(run, m.keys as string[], m.values as (Buffer | null)[]);
        break;
      case "logs":
        if (run)
          this.sendLazy(run.client, { t: "logs", ref: run.ref, worker: w.name, logs: m.logs });
        break;
      case "load-failed":
        if (run && !run.finished) {
          run.loadFailure = m.message as string;
          this.send(run.client, {
            t: "failed",
            ref: run.ref,
            code: "FG_CLUSTER_BUNDLE_LOAD",
            worker: w.name,
            message: m.message,
          });
          this.forget(run);
        }
        break;
    }
  }

  private started(run: FlowRun, worker: number, keys: number[]): void {
    for (let i = 0; i < keys.length; i += 2) {
      const rec = run.active.get(taskKey(keys[i]!, keys[i + 1]!));
      if (rec && rec.worker === worker) rec.started = true;
    }
    this.notifyStarted(run);
  }

  private notifyStarted(run: FlowRun): void {
    if (run.startedSent) return;
    run.startedSent = true;
    this.send(run.client, { t: "started", ref: run.ref });
  }

  private done(run: FlowRun, w: WorkerRecord, res: DoneEntry[]): void {
    this.notifyStarted(run);
    for (const entry of res) {
      const [node, child, code, ms, , , message, , bytes] = entry;
      const key = taskKey(node, child);
      const rec = run.active.get(key);
      if (!rec || rec.worker !== w.id) continue;
      run.active.delete(key);
      w.assigned.delete(rec);
      w.executed++;
      this.completed++;
      this.avgMs = this.avgMs < 0 ? ms : this.avgMs * 0.9 + ms * 0.1;
      if (run.finished) continue;
      if (code === OutcomeCode.success) run.setHolder(node, child, w.id);
      if (bytes && code === OutcomeCode.success)
        (run.early ??= new Map()).set(
          `${node}|${child}`,
          Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        );
      if (rec.recompute) {
        this.recomputed(
          run,
          node,
          child,
          code === OutcomeCode.success ? undefined : (message ?? "failed"),
        );
        continue;
      }
      this.apply(run, run.state.finished(node, child, outcomeOfDone(entry)));
    }
  }

  /** A worker could not fetch some inputs of a task (their holder died): recompute them, then retry the task. */
  private missing(run: FlowRun, worker: number, node: number, child: number, lost: number[]): void {
    for (let i = 0; i < lost.length; i += 3) {
      const [n, c, holder] = [lost[i]!, lost[i + 1]!, lost[i + 2]!];
      if (run.holderOf(n, c) === holder) run.setHolder(n, c, -1);
    }
    const rec = run.active.get(taskKey(node, child));
    if (!rec || rec.worker !== worker) return;
    run.active.delete(rec.key);
    this.workers.get(worker)?.assigned.delete(rec);
    this.enqueue(rec);
  }

  private recomputed(run: FlowRun, node: number, child: number, failure: string | undefined): void {
    const k = taskKey(node, child);
    const waiters = run.recomputing.get(k) ?? [];
    run.recomputing.delete(k);
    for (const rec of waiters) {
      if (failure !== undefined && !rec.recompute) {
        const message = `input '${run.label(node, child)}' was lost with its worker and recomputing it failed: ${failure}`;
        this.apply(run, run.state.finished(rec.node, rec.child, { type: "Failed", message }));
      } else if (--rec.waiting === 0) this.enqueue(rec);
    }
    if (run.gathering) this.gather(run);
  }

  private apply(run: FlowRun, commands: readonly GraphCommand[]): void {
    for (const c of commands) {
      switch (c.type) {
        case "run":
          // A map child is queued as part of a range; its args are made only when it is dispatched.
          if (c.child >= 0) this.queue.pushChild(run, c.node, c.child);
          else this.enqueue(makeRecord(run, c.node, -1, false));
          break;
        case "retry":
          this.out.push({ k: "retry", run: run.id, node: c.node, child: c.child, delay: c.delay });
          break;
        case "ended":
          this.sendLazy(run.client, {
            t: "ended",
            ref: run.ref,
            node: c.node,
            child: c.child,
            state: c.state,
            message: c.message,
          });
          break;
        case "release":
          for (const w of run.workers)
            this.sendLazy(w, { t: "release", run: run.id, node: c.node });
          run.holder[c.node] = -1;
          run.childHolders[c.node] = undefined;
          break;
        case "done":
          run.gathering = run.early ?? new Map();
          this.gather(run);
          break;
      }
    }
  }

  private enqueue(rec: TaskRecord): void {
    rec.worker = -1;
    rec.started = false;
    this.queue.push(rec);
  }

  /** Hands queued tasks to workers with room, preferring the worker that holds an input. */
  private dispatch(): void {
    if (this.workers.size === 0) return;
    const ws = [...this.workers.values()].filter((w) => !w.closing);
    if (ws.length === 0) return;
    const room = new Map<WorkerRecord, number>();
    for (const w of ws) room.set(w, windowFor(w.slots, this.avgMs) - w.assigned.size);
    let best = pickRoomiest(ws, room);
    while (best) {
      const rec = this.queue.shift();
      if (!rec) break;
      const run = rec.run;
      if (run.finished || (!rec.recompute && run.state.stateOf(rec.node, rec.child) !== "Running"))
        continue;
      const who = this.locate(rec);
      if (!who) continue;
      let target = best;
      const near = who.find((x): x is number => typeof x === "number" && x >= 0);
      const nw = near === undefined ? undefined : this.workers.get(near);
      if (nw && !rec.stolen && preferNear(nw, best, room)) target = nw;
      this.assign(rec, target, who);
      const left = room.get(target)! - 1;
      room.set(target, left);
      if (target === best) best = pickRoomiest(ws, room);
    }
  }

  /** Work stealing: asks a worker with a backlog to hand back queued task runs for an idle one (see planSteal). */
  private balance(): void {
    if (this.workers.size < 2) return;
    const req = planSteal([...this.workers.values()], this.avgMs);
    if (!req) return;
    req.from.stealing = true;
    this.send(req.from.id, { t: "steal", max: req.max });
  }

  /** A worker handed back task runs it had not started ([run, node, child] triples): place them again. */
  private stolen(w: WorkerRecord, keys: number[]): void {
    w.stealing = false;
    for (let i = 0; i + 2 < keys.length; i += 3) {
      const run = this.runs.get(keys[i]!);
      const rec = run?.active.get(taskKey(keys[i + 1]!, keys[i + 2]!));
      if (!run || !rec || rec.worker !== w.id || rec.started) continue;
      run.active.delete(rec.key);
      w.assigned.delete(rec);
      rec.stolen = true;
      this.enqueue(rec);
    }
  }

  /** Where each input of a task is; undefined (and recomputations started) when one was lost. */
  private locate(rec: TaskRecord): Who[] | undefined {
    const { who, lost } = locateInputs(rec.run, rec.args);
    if (lost.length === 0) return who;
    rec.waiting = lost.length;
    for (const [n, c] of lost) this.recompute(rec.run, n, c, rec);
    return undefined;
  }

  private recompute(
    run: FlowRun,
    node: number,
    child: number,
    waiter: TaskRecord | undefined,
  ): void {
    const k = taskKey(node, child);
    const waiters = run.recomputing.get(k);
    if (waiters) {
      if (waiter) waiters.push(waiter);
      return;
    }
    run.recomputing.set(k, waiter ? [waiter] : []);
    this.enqueue(makeRecord(run, node, child, true));
  }

  private assign(rec: TaskRecord, w: WorkerRecord, who: Who[]): void {
    const run = rec.run;
    rec.worker = w.id;
    run.active.set(rec.key, rec);
    w.assigned.add(rec);
    this.tellRun(run, w.id);
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

  /** Tells a worker about a run (once): it then gets the run's releases and its `forget`. */
  private tellRun(run: FlowRun, to: number): void {
    if (run.workers.has(to)) return;
    run.workers.add(to);
    this.send(to, run.runMessage());
  }

  /** Collects the kept results from their holders, recomputing lost ones, then answers the client. */
  private gather(run: FlowRun): void {
    const plan = planGather(run);
    for (const [n, c] of plan.lost) this.recompute(run, n, c, undefined);
    if (plan.complete) return this.finishRun(run);
    for (const [w, keys] of plan.ask) this.send(w, { t: "gather", run: run.id, keys });
  }

  private gathered(run: FlowRun, keys: string[], values: (Buffer | null)[]): void {
    if (!run.gathering || run.finished) return;
    storeGathered(run, keys, values);
    this.gather(run);
  }

  private finishRun(run: FlowRun): void {
    if (run.finished) return;
    const got = run.gathering!;
    this.out.push({
      k: "send",
      to: run.client,
      msg: { t: "result", ref: run.ref, snapshot: snapshotOf(run.state), keys: [...got.keys()] },
      bulk: [...got.values()],
    });
    this.forget(run);
  }

  private forget(run: FlowRun): void {
    run.finished = true;
    for (const w of run.workers) this.send(w, { t: "forget", run: run.id });
    this.runs.delete(run.id);
    for (const rec of run.active.values()) this.workers.get(rec.worker)?.assigned.delete(rec);
    run.active.clear();
  }

  private send(to: number, msg: Message): void {
    this.out.push({ k: "send", to, msg });
  }

  private sendLazy(to: number, msg: Message): void {
    this.out.push({ k: "send", to, msg, lazy: true });
  }
}
