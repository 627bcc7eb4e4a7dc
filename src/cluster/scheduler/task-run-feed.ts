import {
  isFailed,
  isFinished,
  STATE_CODES,
  type GraphState,
  type StateType,
} from "../../graph/index.ts";
import { TASK_RUN_FIELDS, type SchedulerToClient } from "../messages.ts";

const CODE = Object.fromEntries(STATE_CODES.map((s, i) => [s, i])) as Record<StateType, number>;

/** One node's task runs by map index + 1 (slot 0: the node's own run), in typed arrays. */
class NodeSlots {
  /** 1 while the task run has a change not yet sent. */
  changed: Uint8Array;
  /** When it started (-1 unknown); kept after a send while it runs. */
  startedAt: Float64Array;
  endedAt: Float64Array;
  /** Id of the worker that reported it (-1 none). */
  worker: Int32Array;

  constructor(size: number) {
    this.changed = new Uint8Array(size);
    this.startedAt = new Float64Array(size).fill(-1);
    this.endedAt = new Float64Array(size).fill(-1);
    this.worker = new Int32Array(size).fill(-1);
  }

  grow(slot: number): void {
    if (slot < this.changed.length) return;
    const size = Math.max(slot + 1, this.changed.length * 2);
    const old = { ...this };
    this.changed = new Uint8Array(size);
    this.changed.set(old.changed);
    this.startedAt = new Float64Array(size).fill(-1);
    this.startedAt.set(old.startedAt);
    this.endedAt = new Float64Array(size).fill(-1);
    this.endedAt.set(old.endedAt);
    this.worker = new Int32Array(size).fill(-1);
    this.worker.set(old.worker);
  }
}

/**
 * The task-run states a live client has not been told yet, for one flow run submitted with
 * `live`: which task runs changed since the last `task-runs` message, when each started and
 * ended and on which worker. States themselves are read from the run's graph state when the
 * message is made, so each task run is sent once per message, in its latest state. A change
 * allocates nothing (typed arrays per node), since a map makes two per child.
 */
export class TaskRunFeed {
  readonly #nodes: (NodeSlots | undefined)[];
  /** Changed task runs as (node, slot) pairs, in the order they first changed. */
  #order: number[] = [];
  /** Names of the workers that reported task runs, by id (small integers). */
  readonly #workerNames: string[] = [];
  readonly #mapped: Uint8Array;

  constructor(nodes: number) {
    this.#nodes = new Array<NodeSlots | undefined>(nodes);
    this.#mapped = new Uint8Array(nodes);
  }

  get empty(): boolean {
    return this.#order.length === 0;
  }

  /** A worker (id, name) reported that task run (node, child) started. */
  started(node: number, child: number, worker: number, name: string, now: number): void {
    const slot = child + 1;
    const n = this.#change(node, slot);
    n.startedAt[slot] = now;
    n.endedAt[slot] = -1;
    n.worker[slot] = worker;
    this.#workerNames[worker] ??= name;
  }

  /** A worker (id, name) reported that task run (node, child) ended after `ms` of work. */
  done(node: number, child: number, worker: number, name: string, now: number, ms: number) {
    const slot = child + 1;
    const n = this.#change(node, slot);
    // A fast task run is not reported started: its start is its end less its duration. (An end
    // already set belongs to an earlier attempt: `started` clears it.)
    if (n.worker[slot] !== worker || n.startedAt[slot]! < 0 || n.endedAt[slot]! >= 0)
      n.startedAt[slot] = Math.round(now - ms);
    n.endedAt[slot] = now;
    n.worker[slot] = worker;
    this.#workerNames[worker] ??= name;
  }

  /** Task run (node, child) changed state without a worker's report (skipped, failed, retrying, cancelled). */
  touched(node: number, child: number, now: number): void {
    this.#change(node, child + 1).endedAt[child + 1] = now;
  }

  /** A child of mapped `node` is about to run: its parent run is Mapped (told once). */
  mapped(node: number): void {
    if (this.#mapped[node] === 1) return;
    this.#mapped[node] = 1;
    this.#change(node, 0);
  }

  /** The `task-runs` message for what changed since the last one (undefined: nothing did). */
  take(state: GraphState, ref: number): Extract<SchedulerToClient, { t: "task-runs" }> | undefined {
    if (this.#order.length === 0) return undefined;
    const order = this.#order;
    this.#order = [];
    const workers: string[] = [];
    /** Worker id → index in `workers` + 1 (0: not there yet). */
    const index: number[] = [];
    const runs = new Int32Array((order.length / 2) * TASK_RUN_FIELDS);
    let base = Infinity;
    for (let i = 0; i < order.length; i += 2) {
      const n = this.#nodes[order[i]!]!;
      const [started, ended] = [n.startedAt[order[i + 1]!]!, n.endedAt[order[i + 1]!]!];
      if (started >= 0 && started < base) base = started;
      if (ended >= 0 && ended < base) base = ended;
    }
    if (base === Infinity) base = 0;
    const messages: [number, string][] = [];
    for (let i = 0, o = 0; i < order.length; i += 2, o += TASK_RUN_FIELDS) {
      const node = order[i]!;
      const slot = order[i + 1]!;
      const n = this.#nodes[node]!;
      n.changed[slot] = 0;
      const s = state.stateOf(node, slot - 1);
      let w = -1;
      const id = n.worker[slot]!;
      if (id >= 0) {
        w = (index[id] ??= workers.push(this.#workerNames[id]!)) - 1;
      }
      runs[o] = node;
      runs[o + 1] = slot - 1;
      runs[o + 2] = CODE[s];
      const started = n.startedAt[slot]!;
      const ended = isFinished(s) ? n.endedAt[slot]! : -1;
      runs[o + 3] = started < 0 ? -1 : started - base;
      runs[o + 4] = ended < 0 ? -1 : ended - base;
      runs[o + 5] = w;
      if (isFailed(s) || s === "Retrying" || s === "Skipped") {
        const message = state.detailOf(node, slot - 1)?.message;
        if (message) messages.push([o / TASK_RUN_FIELDS, message]);
      }
    }
    return { t: "task-runs", ref, base, workers, runs, messages };
  }

  /** Node `node`'s slots, with `slot` (map index + 1) marked changed. */
  #change(node: number, slot: number): NodeSlots {
    const n = (this.#nodes[node] ??= new NodeSlots(slot + 1));
    if (slot >= n.changed.length) n.grow(slot);
    if (n.changed[slot] === 0) {
      n.changed[slot] = 1;
      this.#order.push(node, slot);
    }
    return n;
  }
}
