import type { StateType } from "../graph/index.ts";
import { TASK_RUN_FLUSH_MS, type TaskRunUpdate } from "./task-run-update.ts";

/** What a change sets besides the state. */
export interface TaskRunChange {
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly worker?: string;
  readonly message?: string;
}

interface Entry {
  readonly node: number;
  readonly child: number;
  state: StateType;
  startedAt: number | undefined;
  endedAt: number | undefined;
  worker: string | undefined;
  message: string | undefined;
}

/**
 * Coalesces task-run state changes into batches: the latest state per task run (node, map
 * index), flushed to `emit` every `intervalMs` and on `flush()`. A start time or worker set by an
 * earlier change of the same batch is kept unless a later change sets it again, so a run that
 * started and ended between two flushes is reported once, as ended, with its start; the end
 * time and message belong to the latest state only.
 */
export class TaskRunBatcher {
  #pending = new Map<number, Entry>();
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
  set(node: number, child: number, state: StateType, change: TaskRunChange = {}): void {
    // node * 2^32 + child + 1 is unique per task run (child -1 .. 2^32 - 2)
    const key = node * 4294967296 + child + 1;
    const e = this.#pending.get(key);
    if (e) {
      e.state = state;
      if (change.startedAt !== undefined) e.startedAt = change.startedAt;
      if (change.worker !== undefined) e.worker = change.worker;
      e.endedAt = change.endedAt;
      e.message = change.message;
    } else {
      const { startedAt, endedAt, worker, message } = change;
      this.#pending.set(key, { node, child, state, startedAt, endedAt, worker, message });
    }
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
    if (this.#pending.size === 0) return;
    const batch: TaskRunUpdate[] = [];
    for (const e of this.#pending.values()) batch.push(updateOf(e, this.names[e.node]!));
    this.#pending = new Map();
    this.emit(batch);
  }

  /** Stops the timer and drops what is pending (call `flush()` first to keep it). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }
}

function updateOf(e: Entry, task: string): TaskRunUpdate {
  const u: { -readonly [K in keyof TaskRunUpdate]: TaskRunUpdate[K] } = {
    node: e.node,
    task,
    mapIndex: e.child,
    state: e.state,
  };
  if (e.startedAt !== undefined) u.startedAt = e.startedAt;
  if (e.endedAt !== undefined) u.endedAt = e.endedAt;
  if (e.worker !== undefined) u.worker = e.worker;
  if (e.message !== undefined) u.message = e.message;
  return u;
}
