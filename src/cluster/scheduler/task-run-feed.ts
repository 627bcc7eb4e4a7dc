import {
  isFailed,
  isFinished,
  STATE_CODES,
  type GraphState,
  type StateType,
} from "../../graph/index.ts";
import { TASK_RUN_FIELDS, type SchedulerToClient } from "../messages.ts";

const CODE = new Map<StateType, number>(STATE_CODES.map((s, i) => [s, i]));

interface Change {
  readonly node: number;
  readonly child: number;
  startedAt: number;
  endedAt: number;
  worker: string | undefined;
}

/**
 * The task-run states a live client has not been told yet, for one flow run submitted with
 * `live`: which task runs changed since the last `task-runs` message, when each started and
 * ended and on which worker. States themselves are read from the run's graph state when the
 * message is made, so each task run is sent once per message, in its latest state.
 */
export class TaskRunFeed {
  #changed = new Map<number, Change>();
  /** Start times of task runs reported started and not yet done, by task key. */
  readonly #starts = new Map<number, number>();
  readonly #mapped: Uint8Array;

  constructor(nodes: number) {
    this.#mapped = new Uint8Array(nodes);
  }

  get empty(): boolean {
    return this.#changed.size === 0;
  }

  /** A worker reported that task run (node, child) started. */
  started(key: number, node: number, child: number, worker: string, now: number): void {
    this.#starts.set(key, now);
    const c = this.#change(key, node, child);
    c.startedAt = now;
    c.worker = worker;
  }

  /** A worker reported that task run (node, child) ended after `ms` of work. */
  done(key: number, node: number, child: number, worker: string, now: number, ms: number): void {
    const c = this.#change(key, node, child);
    c.startedAt = this.#starts.get(key) ?? Math.round(now - ms);
    this.#starts.delete(key);
    c.endedAt = now;
    c.worker = worker;
  }

  /** Task run (node, child) changed state without a worker's report (skipped, failed, retrying, cancelled). */
  touched(node: number, child: number, now: number): void {
    this.#change(node * 4294967296 + child + 1, node, child).endedAt = now;
  }

  /** A child of mapped `node` is about to run: its parent run is Mapped (told once). */
  mapped(node: number): void {
    if (this.#mapped[node] === 1) return;
    this.#mapped[node] = 1;
    this.#change(node * 4294967296, node, -1);
  }

  /** The `task-runs` message for what changed since the last one (undefined: nothing did). */
  take(state: GraphState, ref: number): Extract<SchedulerToClient, { t: "task-runs" }> | undefined {
    if (this.#changed.size === 0) return undefined;
    const workers: string[] = [];
    const index = new Map<string, number>();
    const runs = new Array<number>(this.#changed.size * TASK_RUN_FIELDS);
    const messages: [number, string][] = [];
    let i = 0;
    for (const c of this.#changed.values()) {
      const s = state.stateOf(c.node, c.child);
      let w = -1;
      if (c.worker !== undefined) {
        w = index.get(c.worker) ?? -1;
        if (w < 0) index.set(c.worker, (w = workers.push(c.worker) - 1));
      }
      runs[i] = c.node;
      runs[i + 1] = c.child;
      runs[i + 2] = CODE.get(s)!;
      runs[i + 3] = c.startedAt;
      runs[i + 4] = isFinished(s) ? c.endedAt : -1;
      runs[i + 5] = w;
      if (isFailed(s) || s === "Retrying" || s === "Skipped") {
        const message = state.detailOf(c.node, c.child)?.message;
        if (message) messages.push([i / TASK_RUN_FIELDS, message]);
      }
      i += TASK_RUN_FIELDS;
    }
    this.#changed = new Map();
    return { t: "task-runs", ref, workers, runs, messages };
  }

  #change(key: number, node: number, child: number): Change {
    let c = this.#changed.get(key);
    if (!c)
      this.#changed.set(key, (c = { node, child, startedAt: -1, endedAt: -1, worker: undefined }));
    return c;
  }
}
