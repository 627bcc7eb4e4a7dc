import { MoveRing } from "../move-ring.ts";
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

/** A status's index in TASK_STATUSES (a switch: a keyed lookup per transition was a visible cost). */
function statusCode(s: TaskStatus): number {
  switch (s) {
    case "queued":
      return 0;
    case "waiting":
      return 1;
    case "processing":
      return 2;
    case "running":
      return 3;
    case "finished":
      return 4;
    case "erred":
      return 5;
  }
}

/** A graph node as the log names it: its task id. */
type Named = { readonly id: string };

/** Runs whose node names the log remembers, to name their task runs in a story. */
const NAMED_RUNS = 256;

/**
 * A bounded log of task-run transitions (Dask's transition_log) in a MoveRing, plus each one's
 * stimulus: `story(task)` reads it back.
 */
export class TransitionLog {
  private readonly ring: MoveRing;
  private readonly stimuli: string[];
  private readonly names = new Map<number, readonly Named[]>();

  constructor(readonly size = TRANSITION_LOG_SIZE) {
    this.ring = new MoveRing(size);
    this.stimuli = new Array<string>(size);
  }

  /** Remembers a run's nodes (their ids are the task names), to answer stories by name. */
  nameRun(run: number, nodes: readonly Named[]): void {
    this.names.set(run, nodes);
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
    const i = this.ring.add(run, node, child, statusCode(from), statusCode(to), time);
    this.stimuli[i] = stimulusId;
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
    const r = this.ring;
    const out: StoryEntry[] = [];
    for (const i of r.slots()) {
      if (r.children[i] !== child || (run >= 0 && r.runs[i] !== run)) continue;
      const names = this.names.get(r.runs[i]!);
      if (names?.[r.nodes[i]!]?.id !== m[2]) continue;
      out.push(this.entry(i, names));
    }
    return out;
  }

  /** The last `n` transitions of one task run, as lines (for InvalidTransitionError). */
  recent(run: number, node: number, child: number, n = 8): string[] {
    const lines: string[] = [];
    for (const i of this.ring.newestFirst()) {
      if (lines.length >= n) break;
      if (!this.ring.is(i, run, node, child)) continue;
      const e = this.entry(i, this.names.get(run));
      lines.unshift(`${e.from} -> ${e.to} (${e.stimulusId})`);
    }
    return lines;
  }

  private entry(i: number, names: readonly Named[] | undefined): StoryEntry {
    const r = this.ring;
    const node = r.nodes[i]!;
    const child = r.children[i]!;
    const id = names?.[node]?.id ?? `#${node}`;
    return {
      run: r.runs[i]!,
      task: child < 0 ? id : `${id}[${child}]`,
      from: TASK_STATUSES[r.from(i)]!,
      to: TASK_STATUSES[r.to(i)]!,
      stimulusId: this.stimuli[i]!,
      time: r.times[i]!,
    };
  }
}
