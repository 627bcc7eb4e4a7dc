import type { ComputeTask, SchedulerToWorker, WorkerToScheduler } from "../messages.ts";
import { withHints } from "../next-hint.ts";
import { GraphMemo } from "../graph-memo.ts";
import { readComputeBatch } from "../wire/compute-batch.ts";
import { GATHER_CHUNK, inputCount, planInputs } from "./input-gatherer.ts";
import { ResultStore } from "./result-store.ts";
import { RunDurations, type KnownDurations } from "./task-durations.ts";
import type { TaskInput } from "./packed-deps.ts";
import type { PoolTask } from "./pool-task.ts";
import type { TaskBase, WorkerCommand, WorkerCore, WorkerEvent } from "./worker-events.ts";
import { handBack, inputsReady, replicated, reportResults, takeBack } from "./worker-outcomes.ts";
import { inlineChain } from "./inline-chain.ts";
import { INLINE_MAX_BATCH, InlinePolicy } from "./inline-policy.ts";
import { WorkerLog, type WorkerMove, type WorkerStoryEntry } from "./worker-log.ts";
import {
  handedAmong,
  isHanded,
  isWorkerTaskStatus,
  workerTaskKey,
  type WorkerRun,
  type WorkerTask,
} from "./worker-tasks.ts";

export type { WorkerCommand, WorkerEvent } from "./worker-events.ts";

type FromScheduler = Extract<WorkerEvent, { type: "scheduler" }>["msg"];

/**
 * A worker's pure core (Dask's WorkerState): the runs it knows, the task runs it holds (waiting
 * for code, fetching inputs, queued or running in the pool), the results it holds, whether memory
 * paused it and whether it is retiring. `handle(event)` is the one way in and returns the commands
 * (messages, thread-pool calls, fetches) for the ClusterWorker shell to carry out. No I/O, no
 * timers; the clock is injected. It starts a task's `next` dependent itself when the task succeeds
 * (speculative assignment) and drops a claimed one the scheduler takes back.
 */
export class WorkerState implements WorkerCore {
  /** Results held here (made here or fetched), served to peers and gathers by the shell. */
  readonly store = new ResultStore();
  /** Peer worker id -> address. */
  readonly peers = new Map<number, string>();
  readonly runs = new Map<number, WorkerRun>();
  private readonly durations: KnownDurations = new Map();
  /** Each flow's last graph, decoded (by bundle and flow name). */
  private readonly graphs = new GraphMemo<string>();
  /** Bundle hashes in the cache, and the runs waiting for the others. */
  private readonly bundles = new Set<string>();
  private readonly bundleWaiters = new Map<string, number[]>();
  out: WorkerCommand[] = [];
  /** Task-run moves, for story(). */
  readonly log = new WorkerLog();
  id = -1;
  paused = false;
  stopping = false;
  /** The clock's reading for the event being handled. */
  now: number;
  /** Which task runs go on the I/O loop rather than to a thread. */
  readonly inline: InlinePolicy;
  /** Task runs held queued, running or inline (handed to a runner, not yet reported). */
  private handed = 0;

  constructor(
    /** Runs `next` hints (speculative assignment). @default true */
    readonly speculate = true,
    private readonly clock: () => number = Date.now,
    /** Runs known-short task runs on the I/O loop (inline-policy.ts). @default true */
    inlineTasks = true,
    /** A task run under this many ms is short (inline-policy.ts). @default SHORT_MS */
    inlineShortMs?: number,
  ) {
    this.now = clock();
    this.inline = new InlinePolicy(inlineTasks, inlineShortMs);
  }

  /** Takes one event; returns what the shell must do. */
  handle(ev: WorkerEvent): WorkerCommand[] {
    this.now = this.clock();
    switch (ev.type) {
      case "scheduler":
        this.fromScheduler(ev.msg);
        break;
      case "bundle-ready":
        this.bundleReady(ev.hash);
        break;
      case "inputs-ready":
        inputsReady(this, ev);
        break;
      case "results":
        reportResults(this, ev.list);
        break;
      case "starting": {
        const run = this.runs.get(ev.task.run);
        const t = run?.tasks.get(workerTaskKey(ev.task.n, ev.task.c));
        if (t && t.status === "queued") this.move(run!, t, "running");
        const msg: WorkerToScheduler = {
          t: "started",
          run: ev.task.run,
          keys: [ev.task.n, ev.task.c],
        };
        this.out.push({ k: "send", msg, flush: true });
        break;
      }
      case "handed-back":
        handBack(this, ev.keys);
        break;
      case "dropped": {
        const run = this.runs.get(ev.task.run);
        const t = run?.tasks.get(workerTaskKey(ev.task.n, ev.task.c));
        if (t) this.move(run!, t, "dropped");
        break;
      }
      case "memory":
        this.paused = ev.paused;
        this.out.push({ k: "pool-pause", paused: ev.paused });
        break;
      case "replicated":
        replicated(this, ev);
        break;
      case "inline-code":
        this.inline.codeLoaded(ev.code, ev.ok);
        break;
      case "stop":
        if (this.stopping) break;
        this.stopping = true;
        this.send({ t: "goodbye", grace: ev.grace });
        this.out.push({ k: "pool-steal", max: Infinity });
        break;
    }
    const out = this.out;
    this.out = [];
    return out;
  }

  /** Task runs held here, for the heartbeat's count and the tests' invariants. */
  get taskCount(): number {
    let n = 0;
    for (const r of this.runs.values()) n += r.tasks.size;
    return n;
  }

  task(run: number, n: number, c: number): WorkerTask | undefined {
    return this.runs.get(run)?.tasks.get(workerTaskKey(n, c));
  }

  /** The logged moves of a task run on this worker (see WorkerLog). */
  story(run: number, node: number, child: number): WorkerStoryEntry[] {
    return this.log.story(run, node, child);
  }

  /** Moves a task run to a status, or out (then it is no longer held), and logs the move. */
  move(run: WorkerRun, t: WorkerTask, to: WorkerMove): void {
    if (to === t.status) return;
    this.log.add(run.id, t.n, t.c, t.status, to, t.speculative, this.now);
    if (isHanded(t.status)) this.handed--;
    if (isHanded(to)) this.handed++;
    if (isWorkerTaskStatus(to)) t.status = to;
    else run.tasks.delete(workerTaskKey(t.n, t.c));
  }

  send(msg: WorkerToScheduler): void {
    this.out.push({ k: "send", msg });
  }

  ranInline(run: WorkerRun, t: WorkerTask, ms: number): void {
    if (this.inline.ranInline(run, t.n, ms))
      this.log.add(run.id, t.n, t.c, "inline", "too-slow", t.speculative, this.now);
  }

  private fromScheduler(m: FromScheduler): void {
    switch (m.t) {
      case "welcome":
        this.id = m.id;
        for (const [id, , address] of m.peers) this.peers.set(id, address);
        return;
      case "peer":
        this.peers.set(m.peer[0], m.peer[2]);
        return;
      case "peer-gone":
        this.peers.delete(m.id);
        return;
      case "run":
        return this.addRun(m);
      case "compute":
        return this.compute(m.run, withHints(readComputeBatch(m.tasks, m.tables), m.next), false);
      case "release":
        this.store.release(m.run, m.node);
        this.out.push({ k: "pool-release", run: m.run, node: m.node });
        return;
      case "cancel": {
        const r = this.runs.get(m.run);
        if (r) r.cancelled = true;
        this.out.push({ k: "pool-cancel", run: m.run });
        return;
      }
      case "take-back":
        return takeBack(this, m.run, m.keys);
      case "steal":
        this.out.push({ k: "pool-steal", max: m.max });
        return;
      case "forget": {
        const run = this.runs.get(m.run);
        if (run) for (const t of run.tasks.values()) if (isHanded(t.status)) this.handed--;
        run?.durations.save();
        this.runs.delete(m.run);
        this.store.forget(m.run);
        this.out.push({ k: "pool-forget", run: m.run });
        return;
      }
      case "gather": {
        const values = m.keys.map((k) => this.store.getKey(m.run, k) ?? null);
        this.out.push({ k: "send-gathered", run: m.run, keys: m.keys, values });
        return;
      }
      case "replicate":
        this.out.push({ k: "replicate", id: m.id, run: m.run, from: m.from, keys: m.keys });
        return;
      case "retired":
        this.out.push({ k: "let-go" });
        return;
      case "shutdown":
        this.out.push({ k: "disconnect", reason: "scheduler shut down" });
        return;
    }
  }

  private addRun(m: Extract<SchedulerToWorker, { t: "run" }>): void {
    const code = `${m.bundle}#${m.flowName}`;
    const spec = this.graphs.specOf(code, m.graph);
    const run: WorkerRun = {
      id: m.run,
      spec,
      bundle: m.bundle,
      code,
      ready: false,
      waiting: [],
      durations: new RunDurations(m.bundle, spec, this.durations, this.inline.shortMs),
      keep: new Set(m.keep),
      cancelled: false,
      tasks: new Map(),
    };
    this.runs.set(m.run, run);
    const { graph, params, flowRunId, flowName } = m;
    this.out.push({
      k: "pool-add-run",
      info: { run: m.run, graph, params, flowRunId, flowName },
      bundle: m.bundle,
    });
    if (this.bundles.has(m.bundle)) return void (run.ready = true);
    const list = this.bundleWaiters.get(m.bundle);
    if (list) return void list.push(m.run);
    this.bundleWaiters.set(m.bundle, [m.run]);
    this.out.push({ k: "need-bundle", hash: m.bundle });
  }

  private bundleReady(hash: string): void {
    this.bundles.add(hash);
    const list = this.bundleWaiters.get(hash) ?? [];
    this.bundleWaiters.delete(hash);
    for (const id of list) {
      const run = this.runs.get(id);
      if (!run) continue;
      run.ready = true;
      const w = run.waiting;
      run.waiting = [];
      this.start(run, w);
    }
  }

  /** Task runs the scheduler sent (or this worker claimed): waiting for code, or started. */
  compute(id: number, tasks: ComputeTask[], speculative: boolean): void {
    const run = this.runs.get(id);
    if (!run) return;
    if (this.stopping && !speculative) {
      const keys: number[] = [];
      for (const t of tasks) keys.push(id, t.n, t.c);
      if (keys.length) this.send({ t: "stolen", keys });
      return;
    }
    const status = run.ready ? "queued" : "waiting";
    for (const t of tasks) {
      run.tasks.set(workerTaskKey(t.n, t.c), {
        n: t.n,
        c: t.c,
        a: t.a,
        status,
        next: t.next,
        speculative,
        takenBack: false,
        inline: 0,
        inThread: false,
      });
      this.log.add(id, t.n, t.c, "new", status, speculative, this.now);
      if (status === "queued") this.handed++;
    }
    if (run.ready) this.start(run, tasks);
    else for (const t of tasks) run.waiting.push(t);
  }

  /** A chain link its runner runs after the task run before it: held with no command. */
  holdInThread(run: WorkerRun, t: ComputeTask, inline: number, status: "queued" | "inline"): void {
    run.tasks.set(workerTaskKey(t.n, t.c), {
      n: t.n,
      c: t.c,
      a: t.a,
      status,
      next: t.next,
      speculative: true,
      takenBack: false,
      inline,
      inThread: true,
    });
    this.log.add(run.id, t.n, t.c, "new", status, true, this.now);
    this.handed++;
  }

  /** Plans each task run's inputs: runs those held here (inline or in threads), fetches the rest. */
  private start(run: WorkerRun, tasks: readonly ComputeTask[]): void {
    const ready: PoolTask[] = [];
    let inline: PoolTask[] | undefined;
    // Inline only on an otherwise idle worker (the latency case): busy, the I/O loop must feed
    // the threads, and the task runs would wait behind each other there.
    const idle = tasks.length <= INLINE_MAX_BATCH && this.handed === handedAmong(run, tasks);
    for (const t of tasks) {
      const entry = run.tasks.get(workerTaskKey(t.n, t.c));
      if (!entry || entry.takenBack) {
        if (entry) this.move(run, entry, "dropped");
        continue;
      }
      // A reduce over many results is gathered in chunks, so that the shell keeps heartbeating.
      if (inputCount(t.args) > GATHER_CHUNK) {
        this.move(run, entry, "fetching");
        this.out.push({ k: "gather-large", base: this.base(run, t), task: t });
        continue;
      }
      const plan = planInputs(this.store, run.id, t.c, t.args, t.who);
      if (plan.remote.length === 0) {
        const where = idle ? this.inline.verdict(run, t.n, this.paused) : "thread";
        if (where === "load") this.out.push({ k: "inline-load", run: run.id, code: run.code });
        if (where === "inline") {
          this.move(run, entry, "inline");
          (inline ??= []).push(this.poolTask(run, t, plan.inputs, entry));
        } else {
          this.move(run, entry, "queued");
          ready.push(this.poolTask(run, t, plan.inputs, entry));
        }
      } else {
        this.move(run, entry, "fetching");
        const base = this.base(run, t);
        this.out.push({ k: "fetch", base, inputs: plan.inputs, remote: plan.remote });
      }
    }
    if (ready.length) this.out.push({ k: "execute", tasks: ready });
    if (inline) this.out.push({ k: "inline-execute", tasks: inline });
  }

  /**
   * A task run whose inputs are all here, as the pool takes it: one object literal of the same
   * shape (field order included) as pool-task.ts's poolTask, with no spread and no base object.
   */
  private poolTask(
    run: WorkerRun,
    t: ComputeTask,
    inputs: readonly TaskInput[],
    entry: WorkerTask,
  ): PoolTask {
    const timeout = run.spec.nodes[t.n]!.timeout;
    const ms = run.durations.of(t.n);
    const fast = timeout === 0 && ms >= 0 && ms < 1;
    const { n, c, a, m, args } = t;
    const chain =
      t.next && this.speculate && !this.stopping && !this.paused && !run.cancelled
        ? inlineChain(run, t)
        : undefined;
    if (chain) entry.inline = chain.length;
    return { run: run.id, n, c, a, m, args, deps: undefined, timeout, fast, inputs, chain };
  }

  private base(run: WorkerRun, t: ComputeTask): TaskBase {
    const spec = run.spec.nodes[t.n]!;
    const ms = run.durations.of(t.n);
    const timeout = spec.timeout;
    const fast = timeout === 0 && ms >= 0 && ms < 1;
    return {
      run: run.id,
      n: t.n,
      c: t.c,
      a: t.a,
      m: t.m,
      args: t.args,
      deps: undefined,
      timeout,
      fast,
    };
  }
}
