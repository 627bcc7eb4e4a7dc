import type { TaskSummary, Timeline } from "../api/index.ts";
import type { Store } from "../store/store.ts";

/** How many task runs a stream's `timeline` event samples (the run page's Gantt). */
export const TIMELINE_SAMPLES = 600;

/** One shared answer, computed again when the run's task `seq` moves; a failed one is not kept. */
class PerSeq<T> {
  #seq = -1;
  #value: Promise<T> | undefined;

  constructor(private readonly compute: () => Promise<T>) {}

  get(seq: number): Promise<T> {
    if (this.#value === undefined || this.#seq !== seq) {
      const value = this.compute();
      this.#seq = seq;
      this.#value = value;
      // the next stream asks again
      value.catch(() => this.#value === value && (this.#value = undefined));
    }
    return this.#value;
  }
}

interface Entry {
  users: number;
  readonly summary: PerSeq<TaskSummary>;
  readonly timeline: PerSeq<Timeline>;
}

/**
 * A run's task summary and sampled timeline, computed once per task `seq` for all the
 * `?tasks=summary` streams of that run in this process: ten viewers of one large run cost one
 * GROUP BY per period, not ten.
 */
export class RunSummaries {
  readonly #runs = new Map<number, Entry>();

  constructor(private readonly store: Store) {}

  /** A stream of run `runId` starts using the shared answers; call `close` when it ends. */
  open(runId: number): {
    summary: (seq: number) => Promise<TaskSummary>;
    timeline: (seq: number) => Promise<Timeline>;
    close: () => void;
  } {
    let entry = this.#runs.get(runId);
    if (!entry) {
      entry = {
        users: 0,
        summary: new PerSeq(() => this.store.tasks.summary(runId)),
        timeline: new PerSeq(() => this.store.tasks.timeline(runId, TIMELINE_SAMPLES)),
      };
      this.#runs.set(runId, entry);
    }
    const e = entry;
    e.users++;
    let open = true;
    return {
      summary: (seq) => e.summary.get(seq),
      timeline: (seq) => e.timeline.get(seq),
      close: () => {
        if (!open) return;
        open = false;
        if (--e.users === 0 && this.#runs.get(runId) === e) this.#runs.delete(runId);
      },
    };
  }
}
