import type { GraphCommand } from "../../graph/commands.ts";
import type { GraphSpec } from "../../graph/task-spec.ts";
import type { DoneEntry, PeerInfo, WorkerHeartbeat } from "../messages.ts";
import type { Message } from "../wire/connection.ts";
import { decodeValue } from "../wire/codec.ts";
import { FlowRun } from "./flow-run.ts";
import { makeRecord, taskKey, type TaskRecord } from "./task-record.ts";
import { TaskQueue } from "./task-queue.ts";
import { WorkerRecord } from "./worker-record.ts";
import { Retirements } from "./retirement.ts";
import { dispatch } from "./task-dispatch.ts";
import { tasksDone, tasksStarted } from "./task-reports.ts";
import { inputsMissing, requeueTasksOf } from "./lost-results.ts";
import { gather, gathered } from "./result-gather.ts";
import { balance, stolen } from "./work-stealing.ts";

export { ALLOWED_DEATHS } from "./lost-results.ts";

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

/**
 * The scheduler's pure core: flow runs (a GraphState each), the worker table and task placement.
 * Events go in as method calls; the messages to send and timers to set come out of `drain()`.
 * It does no I/O: the SchedulerServer shell carries the commands out.
 */
export class SchedulerState {
  readonly workers = new Map<number, WorkerRecord>();
  readonly runs = new Map<number, FlowRun>();
  /** Task runs waiting for a worker. Public, like `out`, for the handlers beside this file. */
  readonly queue = new TaskQueue();
  private readonly retirements = new Retirements({
    workers: this.workers,
    runs: this.runs,
    send: (to, msg) => this.send(to, msg),
    tellRun: (run, to) => this.tellRun(run, to),
  });
  /** What drain() hands to the shell next. */
  out: SchedulerCommand[] = [];
  private nextRun = 1;
  /** Moving average of task durations (ms), which sets how many tasks a worker may hold. */
  avgMs = -1;
  completed = 0;

  drain(): SchedulerCommand[] {
    dispatch(this);
    if (this.queue.size === 0) balance(this);
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
    requeueTasksOf(this, w);
    for (const run of this.runs.values()) if (run.gathering) gather(this, run);
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
    if (m.t === "stolen") return stolen(this, w, m.keys as number[]);
    if (m.t === "replicated")
      return this.retirements.replicated(id, m.id as number, m.keys as string[]);
    const run = this.runs.get(m.run as number);
    switch (m.t) {
      case "started":
        if (run) tasksStarted(this, run, id, m.keys as number[]);
        break;
      case "done":
        if (run) tasksDone(this, run, w, m.res as DoneEntry[]);
        break;
      case "missing":
        if (run) inputsMissing(this, run, id, m.n as number, m.c as number, m.lost as number[]);
        break;
      case "gathered":
        if (run) gathered(this, run, m.keys as string[], m.values as (Buffer | null)[]);
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

  // Shared with the handlers beside this file (task-dispatch.ts, task-reports.ts, lost-results.ts,
  // result-gather.ts, work-stealing.ts), which is why they are not private: not for outside callers.

  /** Carries out what the graph state commanded for a run. */
  apply(run: FlowRun, commands: readonly GraphCommand[]): void {
    for (const c of commands) {
      switch (c.type) {
        case "run":
          // A map child is queued as part of a range; its args are made only when it is dispatched.
          if (c.child >= 0) this.queue.pushChild(run, c.node, c.child);
          else this.enqueue(makeRecord(run, c.node, -1, false));
          break;
        case "retry":
          this.out.push({ k: "retry", run: run.id, node: c.node, child: c.child, delay: c.delay });
          // the client logs the same retry warning as a local run
          this.sendLazy(run.client, {
            t: "retry",
            ref: run.ref,
            node: c.node,
            child: c.child,
            delay: c.delay,
            message: run.state.detailOf(c.node, c.child)?.message ?? "",
          });
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
          gather(this, run);
          break;
      }
    }
  }

  enqueue(rec: TaskRecord): void {
    rec.worker = -1;
    rec.started = false;
    this.queue.push(rec);
  }

  /** Queues a recomputation of a lost result (once); `waiter` is queued again when it is back. */
  recompute(run: FlowRun, node: number, child: number, waiter: TaskRecord | undefined): void {
    const k = taskKey(node, child);
    const waiters = run.recomputing.get(k);
    if (waiters) {
      if (waiter) waiters.push(waiter);
      return;
    }
    run.recomputing.set(k, waiter ? [waiter] : []);
    this.enqueue(makeRecord(run, node, child, true));
  }

  /** Tells a worker about a run (once): it then gets the run's releases and its `forget`. */
  tellRun(run: FlowRun, to: number): void {
    if (run.workers.has(to)) return;
    run.workers.add(to);
    this.send(to, run.runMessage());
  }

  forget(run: FlowRun): void {
    run.finished = true;
    for (const w of run.workers) this.send(w, { t: "forget", run: run.id });
    this.runs.delete(run.id);
    for (const rec of run.active.values()) this.workers.get(rec.worker)?.assigned.delete(rec);
    run.active.clear();
  }

  send(to: number, msg: Message): void {
    this.out.push({ k: "send", to, msg });
  }

  sendLazy(to: number, msg: Message): void {
    this.out.push({ k: "send", to, msg, lazy: true });
  }
}
