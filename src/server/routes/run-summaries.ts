import type { TaskSummary, Timeline } from "../api/index.ts";
import type { Store } from "../store/store.ts";

/** How many task runs a stream's `timeline` event samples (the run page's Gantt). */
export const TIMELINE_SAMPLES = 600;

interface Entry {
  users: number;
  summary?: { seq: number; value: Promise<TaskSummary> };
  timeline?: { seq: number; value: Promise<Timeline> };
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
    let e = this.#runs.get(runId);
    if (!e) this.#runs.set(runId, (e = { users: 0 }));
    e.users++;
    const entry = e;
    let open = true;
    return {
      summary: (seq) => {
        if (entry.summary?.seq !== seq) {
          const value = this.store.tasks.summary(runId);
          entry.summary = { seq, value };
          // a failed query is not kept: the next stream asks again
          value.catch(() => entry.summary?.value === value && (entry.summary = undefined));
        }
        return entry.summary.value;
      },
      timeline: (seq) => {
        if (entry.timeline?.seq !== seq) {
          const value = this.store.tasks.timeline(runId, TIMELINE_SAMPLES);
          entry.timeline = { seq, value };
          value.catch(() => entry.timeline?.value === value && (entry.timeline = undefined));
        }
        return entry.timeline.value;
      },
      close: () => {
        if (!open) return;
        open = false;
        if (--entry.users === 0 && this.#runs.get(runId) === entry) this.#runs.delete(runId);
      },
    };
  }
}
