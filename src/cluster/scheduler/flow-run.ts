import { GraphState, type GraphSpec, type ArgRef } from "../../graph/index.ts";
import type { ClientToScheduler, SchedulerToWorker } from "../messages.ts";
import type { TaskStatus } from "./task-status.ts";
import { TaskRunFeed } from "./task-run-feed.ts";
import { ActiveTasks } from "./active-tasks.ts";
import type { WorkerRecord } from "./worker-record.ts";

/** The scheduler's record of one submitted flow run: its graph state and where results live. */
export class FlowRun {
  readonly state: GraphState;
  /** Worker id holding a non-mapped node's result; -1 none. */
  readonly holder: Int16Array;
  /** Per-child holders of mapped nodes, made when the first child finishes. */
  readonly childHolders: (Int16Array | undefined)[] = [];
  /** Task runs placed on a worker. */
  readonly active = new ActiveTasks<TaskRecord>();
  /** Workers that died while running a task: task key -> their names. */
  readonly suspicious = new Map<number, string[]>();
  /** Results being recomputed (by taskKey) and the tasks waiting for them. */
  readonly recomputing = new Map<number, TaskRecord[]>();
  /** Workers told about this run. */
  readonly workers = new Set<number>();
  startedSent = false;
  /** Task-run states not yet sent to a client that asked for them live (`submit.live`). */
  feed: TaskRunFeed | undefined;
  finished = false;
  gathering: Map<string, Buffer> | undefined;
  /** Claims of the `done` being handled (speculation-claims.ts), by taskKey. */
  claims: Map<number, Claim> | undefined;
  /** Records of claimed task runs the graph state just commanded, awaiting settleClaims. */
  claimedRecords: TaskRecord[] | undefined;
  /** Small kept results that came with their `done` (key "node|child"); the gather starts from these. */
  early: Map<string, Buffer> | undefined;

  constructor(
    readonly id: number,
    readonly client: number,
    readonly ref: number,
    readonly flowRunId: string,
    readonly flowName: string,
    readonly bundle: string,
    readonly graphBytes: Buffer,
    readonly paramBytes: Buffer,
    readonly spec: GraphSpec,
    readonly keep: ReadonlySet<number>,
  ) {
    this.state = new GraphState(spec, (n) => keep.has(n));
    this.holder = new Int16Array(spec.nodes.length).fill(-1);
  }

  /**
   * The run a client's `submit` asks for (with a live task-run feed when it asked for one);
   * `spec` is its graph, which the shell decoded.
   */
  static fromSubmit(
    id: number,
    client: number,
    m: Extract<ClientToScheduler, { t: "submit" }>,
    spec: GraphSpec,
  ): FlowRun {
    const run = new FlowRun(
      id,
      client,
      m.ref,
      m.flowRunId,
      m.flowName,
      m.bundle,
      m.graph,
      m.params,
      spec,
      new Set(m.keep),
    );
    if (m.live) run.feed = new TaskRunFeed(spec.nodes.length);
    return run;
  }

  /** The `run` message that tells a worker about this run (its graph, code and parameters). */
  runMessage(): SchedulerToWorker {
    return {
      t: "run",
      run: this.id,
      bundle: this.bundle,
      flowName: this.flowName,
      flowRunId: this.flowRunId,
      graph: this.graphBytes,
      params: this.paramBytes,
      keep: [...this.keep],
    };
  }

  /** A task run's name for messages: the node's id, with [child] for a map child. */
  label(node: number, child: number): string {
    const id = this.spec.nodes[node]!.id;
    return child < 0 ? id : `${id}[${child}]`;
  }

  /** A worker died while running task run `key`: returns the names of all that did. */
  noteDeath(key: number, worker: string): string[] {
    const names = this.suspicious.get(key) ?? [];
    names.push(worker);
    this.suspicious.set(key, names);
    return names;
  }

  isConstant(node: number): boolean {
    return this.spec.nodes[node]!.constant !== undefined;
  }

  holderOf(node: number, child: number): number {
    if (child < 0) return this.holder[node]!;
    return this.childHolders[node]?.[child] ?? -1;
  }

  setHolder(node: number, child: number, worker: number): void {
    if (child < 0) {
      this.holder[node] = worker;
      return;
    }
    let h = this.childHolders[node];
    if (!h) {
      const width = Math.max(this.state.nodes[node]!.width, child + 1);
      h = this.childHolders[node] = new Int16Array(width).fill(-1);
    }
    h[child] = worker;
  }

  /** Forgets every result a (dead) worker held. */
  dropWorker(worker: number): void {
    for (let i = 0; i < this.holder.length; i++) if (this.holder[i] === worker) this.holder[i] = -1;
    for (const h of this.childHolders)
      if (h) for (let c = 0; c < h.length; c++) if (h[c] === worker) h[c] = -1;
  }

  /** Its task runs placed on `worker`. */
  activeOn(worker: number): TaskRecord[] {
    return [...this.active.values()].filter((rec) => rec.worker === worker);
  }

  /** Takes every placed task run off its worker's count (`assigned`) and off this run. */
  dropActive(workers: ReadonlyMap<number, WorkerRecord>): void {
    for (const rec of this.active.values()) {
      const w = workers.get(rec.worker);
      if (w) w.assigned--;
    }
    this.active.clear();
  }

  /** True when the result should exist (it succeeded) but no live worker holds it. */
  isLost(node: number, child: number): boolean {
    return this.holderOf(node, child) < 0 && this.state.stateOf(node, child) === "Success";
  }
}

/** A worker's claim on a task run it started speculatively (its attempt number). */
export interface Claim {
  readonly node: number;
  readonly child: number;
  readonly worker: number;
  readonly attempt: number;
}

/**
 * One task run the scheduler has placed on a worker (or re-queued after a loss or a steal).
 * A map's children waiting in the queue have no record: see TaskQueue.
 */
export interface TaskRecord {
  readonly run: FlowRun;
  readonly node: number;
  readonly child: number;
  readonly attempt: number;
  readonly args: readonly ArgRef[];
  readonly measure: number;
  /** A recomputation of a lost result, outside the graph state machine. */
  readonly recompute: boolean;
  /** taskKey(node, child): unique within the run. */
  readonly key: number;
  /** Changed only by the transition table (see task-transitions.ts). */
  status: TaskStatus;
  worker: number;
  /** Lost inputs still being recomputed. */
  waiting: number;
  /** Handed back by a busy worker: placed by room, not by where its inputs are. */
  stolen: boolean;
}

/**
 * A number naming a task run within its flow run (node < 2^21, child < 2^32 - 1). Most are
 * small integers (V8 Smis, negative: -(node * 2^20 + child + 2)), because a key beyond 2^30
 * is a heap number, which Map lookups by key (several per task run) must allocate and hash;
 * the rest are node * 2^32 + child + 1 (never negative, so the two forms cannot meet).
 */
export function taskKey(node: number, child: number): number {
  if (node < 1023 && child < 1048574) return -(node * 1048576 + child + 2);
  return node * 4294967296 + child + 1;
}

/** The record of a run command, made when the task leaves the queue. */
export function makeRecord(
  run: FlowRun,
  node: number,
  child: number,
  recompute: boolean,
): TaskRecord {
  const n = run.state.nodes[node]!;
  const attempt = child < 0 ? n.attempts : (n.childAttempts?.[child] ?? 1);
  return {
    run,
    node,
    child,
    attempt,
    args: run.state.argsOf(node, child),
    measure: recompute ? 0 : n.measure,
    recompute,
    key: taskKey(node, child),
    status: "queued",
    worker: -1,
    waiting: 0,
    stolen: false,
  };
}
