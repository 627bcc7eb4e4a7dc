import { TASK_STATUSES, type TaskStatus } from "./task-status.ts";

/** One line of a task run's story. */
export interface StoryEntry {
  readonly run: number;
  readonly task: string;
  readonly from: TaskStatus;
  readonly to: TaskStatus;
  readonly stimulusId: string;
  /** ms since the epoch, from the scheduler's injected clock */
  readonly time: number;
}

/** How many transitions the log keeps (a few MiB); older ones are overwritten. */
export const TRANSITION_LOG_SIZE = 200_000;

/** Each status's index in TASK_STATUSES, as a constant lookup. */
const STATUS_CODE = Object.fromEntries(TASK_STATUSES.map((x, i) => [x, i])) as Record<
  TaskStatus,
  number
>;

/** Runs whose node names the log remembers, to name their task runs in a story. */
const NAMED_RUNS = 256;

/**
 * A bounded log of task-run transitions (Dask's transition_log) kept in flat typed arrays, so that
 * logging a transition costs a few stores and no allocation: `story(task)` reads it back.
 */
export class TransitionLog {
  private readonly runs: Int32Array;
  private readonly nodes: Int32Array;
  private readonly children: Int32Array;
  private readonly moves: Uint8Array;
  private readonly times: Float64Array;
  private readonly stimuli: string[];
  private next = 0;
  private count = 0;
  private readonly names = new Map<number, readonly string[]>();

  constructor(readonly size = TRANSITION_LOG_SIZE) {
    this.runs = new Int32Array(size);
    this.nodes = new Int32Array(size);
    this.children = new Int32Array(size);
    this.moves = new Uint8Array(size);
    this.times = new Float64Array(size);
    this.stimuli = new Array<string>(size);
  }

  /** Remembers a run's node names (its graph's task ids), to answer stories by name. */
  nameRun(run: number, nodeIds: readonly string[]): void {
    this.names.set(run, nodeIds);
    if (this.names.size > NAMED_RUNS) this.names.delete(this.names.keys().next().value!);
  }

  add(
    run: number,
    node: number,
    child: number,
    from: TaskStatus,
    to: TaskStatus,
    stimulusId: string,
    time: number,
  ): void {
    const i = this.next;
    this.runs[i] = run;
    this.nodes[i] = node;
    this.children[i] = child;
    this.moves[i] = (STATUS_CODE[from] << 4) | STATUS_CODE[to];
    this.times[i] = time;
    this.stimuli[i] = stimulusId;
    this.next = (i + 1) % this.size;
    if (this.count < this.size) this.count++;
  }

  /**
   * The logged transitions of a task run, oldest first. `task` is its name as users see it
   * (`inc`, `inc[3]` for a map child), optionally prefixed by the run number (`2/inc[3]`); without
   * one, every run that has such a task is searched.
   */
  story(task: string): StoryEntry[] {
    const m = /^(?:(\d+)\/)?(.+?)(?:\[(\d+)\])?$/.exec(task);
    if (!m) return [];
    const run = m[1] === undefined ? -1 : Number(m[1]);
    const child = m[3] === undefined ? -1 : Number(m[3]);
    const out: StoryEntry[] = [];
    const start = this.count < this.size ? 0 : this.next;
    for (let k = 0; k < this.count; k++) {
      const i = (start + k) % this.size;
      if (this.children[i] !== child || (run >= 0 && this.runs[i] !== run)) continue;
      const names = this.names.get(this.runs[i]!);
      if (names?.[this.nodes[i]!] !== m[2]) continue;
      out.push(this.entry(i, names));
    }
    return out;
  }

  /** The last `n` transitions of one task run, as lines (for InvalidTransitionError). */
  recent(run: number, node: number, child: number, n = 8): string[] {
    const lines: string[] = [];
    for (let k = 1; k <= this.count && lines.length < n; k++) {
      const i = (this.next - k + this.size) % this.size;
      if (this.runs[i] !== run || this.nodes[i] !== node || this.children[i] !== child) continue;
      const e = this.entry(i, this.names.get(run));
      lines.unshift(`${e.from} -> ${e.to} (${e.stimulusId})`);
    }
    return lines;
  }

  private entry(i: number, names: readonly string[] | undefined): StoryEntry {
    const node = this.nodes[i]!;
    const child = this.children[i]!;
    const id = names?.[node] ?? `#${node}`;
    return {
      run: this.runs[i]!,
      task: child < 0 ? id : `${id}[${child}]`,
      from: TASK_STATUSES[this.moves[i]! >> 4]!,
      to: TASK_STATUSES[this.moves[i]! & 15]!,
      stimulusId: this.stimuli[i]!,
      time: this.times[i]!,
    };
  }
}
