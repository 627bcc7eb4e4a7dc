import { STATE_CODES, type StateType } from "../graph/index.ts";
import { TASK_RUN_FLUSH_MS, type TaskRunUpdate } from "./task-run-update.ts";

/** The most updates handed to `emit` at once; a bigger flush makes several calls. */
export const MAX_BATCH = 8192;

/** What a change sets besides the state. */
export interface TaskRunChange {
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly worker?: string;
  readonly message?: string;
}

/** Each state's code + 1 (0 marks an unchanged slot). */
const SLOT_CODE = Object.fromEntries(STATE_CODES.map((s, i) => [s, i + 1])) as Record<
  StateType,
  number
>;

/**
 * One node's pending changes, by map index + 1 (slot 0: the node's own run): typed arrays, so
 * that a change allocates nothing (a 100,000-child map makes two per child).
 */
class NodeSlots {
  /** 0: unchanged since the last flush; else the state's code + 1. */
  state: Uint8Array;
  startedAt: Float64Array;
  endedAt: Float64Array;

  constructor(size: number) {
    this.state = new Uint8Array(size);
    this.startedAt = new Float64Array(size).fill(-1);
    this.endedAt = new Float64Array(size).fill(-1);
  }

  grow(slot: number): void {
    const size = Math.max(slot + 1, this.state.length * 2);
    const state = new Uint8Array(size);
    state.set(this.state);
    const startedAt = new Float64Array(size).fill(-1);
    startedAt.set(this.startedAt);
    const endedAt = new Float64Array(size).fill(-1);
    endedAt.set(this.endedAt);
    [this.state, this.startedAt, this.endedAt] = [state, startedAt, endedAt];
  }
}

/**
 * Coalesces task-run state changes into batches: the latest state per task run (node, map
 * index), flushed to `emit` every `intervalMs` and on `flush()`. A start time or worker set by an
 * earlier change of the same batch is kept unless a later change sets it again, so a run that
 * started and ended between two flushes is reported once, as ended, with its start; the end
 * time and message belong to the latest state only. A flush of more than MAX_BATCH task runs is
 * handed out in several calls.
 */
export class TaskRunBatcher {
  readonly #nodes: (NodeSlots | undefined)[] = [];
  /** Changed task runs as (node, slot) pairs, in the order they first changed. */
  #order: number[] = [];
  /** Workers and messages of changed task runs ("node:slot"), which few changes carry. */
  #workers = new Map<string, string>();
  #messages = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;

  /**
   * @param names each node's task name
   * @param emit receives each non-empty batch, task runs in the order they first changed
   * @param intervalMs flush period; 0 flushes only on `flush()`
   */
  constructor(
    private readonly names: readonly string[],
    private readonly emit: (updates: readonly TaskRunUpdate[]) => void,
    private readonly intervalMs = TASK_RUN_FLUSH_MS,
  ) {}

  /** Records that task run (node, child) is now in `state`. */
  set(node: number, child: number, state: StateType, change?: TaskRunChange): void {
    this.change(
      node,
      child,
      state,
      change?.startedAt,
      change?.endedAt,
      change?.worker,
      change?.message,
    );
  }

  /** `set` with the change's fields as arguments (no object per change, for the hot paths). */
  change(
    node: number,
    child: number,
    state: StateType,
    startedAt?: number,
    endedAt?: number,
    worker?: string,
    message?: string,
  ): void {
    const slot = child + 1;
    const n = (this.#nodes[node] ??= new NodeSlots(slot + 1));
    if (slot >= n.state.length) n.grow(slot);
    if (n.state[slot] === 0) {
      this.#order.push(node, slot);
      n.startedAt[slot] = -1;
    }
    n.state[slot] = SLOT_CODE[state];
    if (startedAt !== undefined) n.startedAt[slot] = startedAt;
    n.endedAt[slot] = endedAt ?? -1;
    if (worker !== undefined) this.#workers.set(`${node}:${slot}`, worker);
    if (message !== undefined) this.#messages.set(`${node}:${slot}`, message);
    else if (this.#messages.size > 0) this.#messages.delete(`${node}:${slot}`);
    if (this.#timer === undefined && this.intervalMs > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.flush();
      }, this.intervalMs);
      this.#timer.unref();
    }
  }

  /** Hands what is pending to `emit` now (nothing when nothing changed). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#order.length === 0) return;
    const order = this.#order;
    this.#order = [];
    // In slices, so that a big batch's objects can die young (a 100,000-child map's whole batch
    // outlived the young generation and cost more in GC than everything else here).
    for (let from = 0; from < order.length; from += 2 * MAX_BATCH)
      this.emit(this.#updates(order, from, Math.min(order.length, from + 2 * MAX_BATCH)));
    this.#workers = new Map();
    this.#messages = new Map();
  }

  #updates(order: readonly number[], from: number, to: number): TaskRunUpdate[] {
    const batch: TaskRunUpdate[] = new Array<TaskRunUpdate>((to - from) / 2);
    for (let i = from; i < to; i += 2) {
      const node = order[i]!;
      const slot = order[i + 1]!;
      const n = this.#nodes[node]!;
      const u: { -readonly [K in keyof TaskRunUpdate]: TaskRunUpdate[K] } = {
        node,
        task: this.names[node]!,
        mapIndex: slot - 1,
        state: STATE_CODES[n.state[slot]! - 1]!,
      };
      n.state[slot] = 0;
      if (n.startedAt[slot]! >= 0) u.startedAt = n.startedAt[slot];
      if (n.endedAt[slot]! >= 0) u.endedAt = n.endedAt[slot];
      if (this.#workers.size > 0 || this.#messages.size > 0) {
        const key = `${node}:${slot}`;
        const worker = this.#workers.get(key);
        if (worker !== undefined) u.worker = worker;
        const message = this.#messages.get(key);
        if (message !== undefined) u.message = message;
      }
      batch[(i - from) / 2] = u;
    }
    return batch;
  }

  /** Stops the timer and drops what is pending (call `flush()` first to keep it). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#order = [];
    this.#nodes.length = 0;
    this.#workers.clear();
    this.#messages.clear();
  }
}
