import { type GraphCommand, type GraphSpec, snapshotOf } from "../../graph/index.ts";
import type {
  ClientToScheduler,
  Who,
  PeerInfo,
  SchedulerOutbound,
  WorkerToScheduler,
} from "../messages.ts";
import { FlowRun, makeRecord, taskKey, type TaskRecord } from "./flow-run.ts";
import { planGather, storeGathered } from "./gather-plan.ts";
import { firstHolder, locateInputs, pickRoomiest, preferNear, windowFor } from "./placement.ts";
import { Retirements } from "./retirement.ts";
import type { SchedulerCommand, SchedulerEvent } from "./scheduler-events.ts";
import type { SchedulerCore } from "./scheduler-core.ts";
import { takeClaimed } from "./speculation-claims.ts";
import { planSteal } from "./steal-plan.ts";
import { TaskQueue } from "./task-queue.ts";
import { deathsFail, transition } from "./task-transitions.ts";
import { TransitionLog } from "./transition-log.ts";
import { WorkerRecord } from "./worker-record.ts";
import { inputsMissing, stolen, tasksDone, tasksStarted } from "./worker-reports.ts";

export { ALLOWED_DEATHS } from "./task-transitions.ts";
export type { SchedulerCommand, SchedulerEvent } from "./scheduler-events.ts";

/**
 * The scheduler's pure core (Dask's SchedulerState): flow runs (a GraphState each), the worker
 * table and task placement. `handle(event)` is the one way in and returns the commands (messages
 * to send, retries to time) for the SchedulerServer shell to carry out. A task run's status
 * changes only through the transition table (task-transitions.ts); each change is logged with
 * its event's stimulus id for story(). No I/O and no clock of its own: time comes from `clock`.
 */
export class SchedulerState implements SchedulerCore {
  readonly workers = new Map<number, WorkerRecord>();
  readonly runs = new Map<number, FlowRun>();
  /** Task runs waiting for a worker. */
  readonly queue = new TaskQueue();
  readonly log = new TransitionLog();
  private readonly retirements = new Retirements({
    workers: this.workers,
    runs: this.runs,
    send: (to, msg) => this.send(to, msg),
    tellRun: (run, to) => this.tellRun(run, to),
    now: () => this.now,
  });
  private out: SchedulerCommand[] = [];
  private nextRun = 1;
  /** The clock's reading for the event being handled. */
  now: number;
  /** Moving average of task durations (ms), which sets how many tasks a worker may hold. */
  avgMs = -1;
  completed = 0;
  /** Seconds that workers which have since left were connected (for worker-seconds of cost). */
  workerSecondsGone = 0;

  /**
   * @param clock the time source (ms since the epoch); the only one the core reads
   * @param speculate whether computes carry `next` hints for dependent chains (speculation-hint.ts)
   */
  constructor(
    private readonly clock: () => number = Date.now,
    readonly speculate = true,
  ) {
    this.now = clock();
  }

  /** Takes one event; returns what the shell must do. */
  handle(ev: SchedulerEvent): SchedulerCommand[] {
    this.now = this.clock();
    const stim = ev.stimulusId;
    switch (ev.type) {
      case "worker-joined":
        this.addWorker(ev.id, ev.name, ev.address, ev.slots);
        break;
      case "worker-left":
        this.removeWorker(ev.id, stim);
        break;
      case "worker-message":
        this.fromWorker(ev.from, ev.msg, stim);
        break;
      case "submit":
        this.submit(ev.from, ev.msg, ev.spec);
        break;
      case "client-message":
        this.cancel(ev.from, ev.msg.ref);
        break;
      case "client-left":
        this.removeClient(ev.id);
        break;
      case "retry-due": {
        const run = this.runs.get(ev.run);
        if (run && !run.finished) this.apply(run, run.state.retryDue(ev.node, ev.child));
        break;
      }
      case "task-runs-due":
        for (const run of this.runs.values()) this.sendTaskRuns(run);
        break;
    }
    return this.drain(stim);
  }

  /** The logged transitions of a task run (see TransitionLog.story). */
  story(task: string) {
    return this.log.story(task);
  }

  get processing(): number {
    let n = 0;
    for (const run of this.runs.values()) n += run.active.size;
    return n;
  }

  private drain(stim: string): SchedulerCommand[] {
    this.dispatch(stim);
    if (this.queue.size === 0) this.balance();
    this.retirements.step();
    for (const w of this.workers.values())
      if (w.outgoing.size > 0) for (const msg of w.takeComputes()) this.send(w.id, msg);
    const out = this.out;
    this.out = [];
    return out;
  }

  private addWorker(id: number, name: string, address: string, slots: number): void {
    const peers: PeerInfo[] = [...this.workers.values()].map((w) => [w.id, w.name, w.address]);
    this.workers.set(id, new WorkerRecord(id, name, address, slots, this.now));
    this.send(id, { t: "welcome", id, peers });
    for (const w of this.workers.values())
      if (w.id !== id) this.send(w.id, { t: "peer", peer: [id, name, address] });
  }

  private removeWorker(id: number, stim: string): void {
    const w = this.workers.get(id);
    if (!w) return;
    this.workers.delete(id);
    this.workerSecondsGone += (this.now - w.joinedAt) / 1000;
    this.retirements.workerGone(id);
    for (const o of this.workers.values()) this.send(o.id, { t: "peer-gone", id });
    for (const run of this.runs.values()) {
      run.dropWorker(id);
      run.workers.delete(id);
    }
    for (const rec of [...this.runs.values()].flatMap((run) => run.activeOn(id))) {
      const message = deathsFail(rec, w.name);
      if (message) transition(this, rec, "erred", stim, { message });
      else transition(this, rec, "queued", stim, { lostWorker: w.name });
    }
    for (const run of this.runs.values()) if (run.gathering) this.gather(run);
  }

  private submit(client: number, m: Extract<ClientToScheduler, { t: "submit" }>, spec: GraphSpec) {
    const run = FlowRun.fromSubmit(this.nextRun++, client, m, spec);
    this.runs.set(run.id, run);
    this.log.nameRun(run.id, run.spec.nodes);
    this.apply(run, run.state.start());
  }

  private cancel(client: number, ref: number, message = "the flow run was cancelled"): void {
    for (const run of this.runs.values()) {
      if (run.client !== client || (ref >= 0 && run.ref !== ref) || run.finished) continue;
      for (const w of run.workers) this.send(w, { t: "cancel", run: run.id });
      this.apply(run, run.state.cancel(message));
    }
  }

  /** A client went away: its runs end and their results are dropped. */
  private removeClient(client: number): void {
    this.cancel(client, -1, "the client disconnected");
    for (const run of [...this.runs.values()]) if (run.client === client) this.forget(run);
  }

  private fromWorker(id: number, m: WorkerToScheduler, stim: string): void {
    const w = this.workers.get(id);
    if (!w) return;
    w.lastSeen = this.now;
    if (w.closing) this.retirements.touch(id);
    switch (m.t) {
      case "hb":
        return w.noteHeartbeat(m, this.now);
      case "goodbye":
        w.closing = true;
        return this.retirements.start(w, m.grace ?? 10_000);
      case "stolen":
        return stolen(this, w, m.keys, stim);
      case "replicated":
        return this.retirements.replicated(id, m.id, m.keys);
      case "hello-worker":
      case "get-bundle":
        return;
    }
    const run = this.runs.get(m.run);
    if (!run) return;
    switch (m.t) {
      case "started":
        tasksStarted(this, run, id, m.keys, stim);
        break;
      case "done":
        tasksDone(this, run, w, m, stim);
        break;
      case "missing":
        inputsMissing(this, run, id, m, stim);
        break;
      case "gathered":
        if (!run.gathering || run.finished) return;
        storeGathered(run, m.keys, m.values);
        this.gather(run);
        break;
      case "logs":
        this.sendLazy(run.client, { t: "logs", ref: run.ref, worker: w.name, logs: m.logs });
        break;
      case "load-failed":
        if (run.finished) return;
        this.send(run.client, {
          t: "failed",
          ref: run.ref,
          code: "FG_CLUSTER_BUNDLE_LOAD",
          worker: w.name,
          message: m.message,
        });
        this.forget(run);
        break;
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

  /** Hands queued tasks to workers with room, preferring the worker that holds an input. */
  private dispatch(stim: string): void {
    if (this.workers.size === 0) return;
    const ws = [...this.workers.values()].filter((w) => !w.closing);
    if (ws.length === 0) return;
    const room = new Map<WorkerRecord, number>();
    for (const w of ws) room.set(w, windowFor(w.slots, this.avgMs) - w.assigned);
    let best = pickRoomiest(ws, room);
    const who: Who[] = []; // each task's, refilled by locateInputs (see there)
    const placed = { worker: best!, who }; // each task's transition argument, refilled below
    while (best) {
      const rec = this.queue.shift();
      if (!rec) break;
      const run = rec.run;
      if (run.finished || (!rec.recompute && run.state.stateOf(rec.node, rec.child) !== "Running"))
        continue;
      const lost = locateInputs(run, rec.args, who);
      if (lost.length > 0) {
        transition(this, rec, "waiting", stim, { lost });
        continue;
      }
      let target = best;
      const near = firstHolder(who);
      const nw = near === undefined ? undefined : this.workers.get(near);
      if (nw && !rec.stolen && preferNear(nw, best, room)) target = nw;
      placed.worker = target;
      transition(this, rec, "processing", stim, placed);
      room.set(target, room.get(target)! - 1);
      if (target === best) best = pickRoomiest(ws, room);
    }
  }

  /** Collects the kept results from their holders, recomputing lost ones, then answers the client. */
  private gather(run: FlowRun): void {
    const plan = planGather(run);
    for (const [n, c] of plan.lost) this.recompute(run, n, c, undefined);
    if (plan.complete) return this.finishRun(run);
    for (const [w, keys] of plan.ask) this.send(w, { t: "gather", run: run.id, keys });
  }

  private finishRun(run: FlowRun): void {
    if (run.finished) return;
    const got = run.gathering!;
    this.sendTaskRuns(run);
    this.out.push({
      k: "send",
      to: run.client,
      msg: { t: "result", ref: run.ref, snapshot: snapshotOf(run.state), keys: [...got.keys()] },
      bulk: [...got.values()],
    });
    this.forget(run);
  }

  // For the transition steps (task-transitions.ts), which is why these are not private.
  /** Carries out what the graph state commanded for a run (by index: a map's are one long list). */
  apply(run: FlowRun, commands: readonly GraphCommand[]): void {
    for (let i = 0; i < commands.length; i++) {
      const c = commands[i]!;
      switch (c.type) {
        case "run":
          // A map child is queued as part of a range; its args are made only when it is dispatched.
          if (c.child >= 0) {
            this.queue.pushChild(run, c.node, c.child);
            run.feed?.mapped(c.node);
          } else if (run.claims && takeClaimed(run, c.node, -1)) break;
          else this.queue.push(makeRecord(run, c.node, -1, false));
          break;
        case "retry":
          run.feed?.touched(c.node, c.child, this.now);
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
          run.feed?.touched(c.node, c.child, this.now);
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

  /** Queues a recomputation of a lost result (once); `waiter` is queued again when it is back. */
  recompute(run: FlowRun, node: number, child: number, waiter: TaskRecord | undefined): void {
    const k = taskKey(node, child);
    const waiters = run.recomputing.get(k);
    if (waiters) {
      if (waiter) waiters.push(waiter);
      return;
    }
    run.recomputing.set(k, waiter ? [waiter] : []);
    this.queue.push(makeRecord(run, node, child, true));
  }

  /** A recomputation ended: the tasks waiting on it are queued once all their inputs are back, or fail with it. */
  recomputed(run: FlowRun, node: number, child: number, failure: string | undefined): void {
    const k = taskKey(node, child);
    const waiters = run.recomputing.get(k) ?? [];
    run.recomputing.delete(k);
    const stim = `recomputed-${run.id}-${node}-${child}`;
    for (const rec of waiters) {
      if (failure !== undefined && !rec.recompute) {
        const message = `input '${run.label(node, child)}' was lost with its worker and recomputing it failed: ${failure}`;
        transition(this, rec, "erred", stim, { message });
      } else if (--rec.waiting === 0) transition(this, rec, "queued", stim, {});
    }
    if (run.gathering) this.gather(run);
  }

  /** Tells a worker about a run (once): it then gets the run's releases and its `forget`. */
  tellRun(run: FlowRun, to: number): void {
    if (run.workers.has(to)) return;
    run.workers.add(to);
    this.send(to, run.runMessage());
  }

  forget(run: FlowRun): void {
    run.finished = true;
    // Lazy: sent at once, it woke the workers while the run's client was waking for its result.
    for (const w of run.workers) this.sendLazy(w, { t: "forget", run: run.id });
    this.runs.delete(run.id);
    run.dropActive(this.workers);
  }

  send(to: number, msg: SchedulerOutbound): void {
    this.out.push({ k: "send", to, msg });
  }

  /** True while some run's client wants its task-run states live (the shell's timer asks). */
  get hasLiveRuns(): boolean {
    for (const run of this.runs.values()) if (run.feed && !run.feed.empty) return true;
    return false;
  }

  /** Sends a live run's client the task-run states that changed since the last time. */
  private sendTaskRuns(run: FlowRun): void {
    const msg = run.feed?.take(run.state, run.ref);
    if (msg) this.sendLazy(run.client, msg);
  }

  sendLazy(to: number, msg: SchedulerOutbound): void {
    this.out.push({ k: "send", to, msg, lazy: true });
  }
}
