import { SHORT_MS } from "./task-durations.ts";
import type { WorkerRun } from "./worker-tasks.ts";

// Which task runs a worker runs on its I/O loop (inline-tasks.ts) rather than in a task thread.
// A thread costs two wake-ups per batch (the batch to the thread, its results back), ~75-110 µs
// each on a VM, plus the postMessage work: most of a short task's submit -> result time. Only the
// latency case is worth it (a few short task runs); big map batches stay on threads, which keep
// the I/O loop free and run in parallel.

/** A batch of more task runs than this goes to threads (the throughput case). */
export const INLINE_MAX_BATCH = 4;
/** Latest short runs in a row (task-durations.ts) a task needs before it runs inline. */
export const INLINE_MIN_SHORT = 3;
/** An inline task run this many times over the short bound (SHORT_MS by default) is a slow one. */
export const INLINE_SLOW_FACTOR = 5;
/**
 * Slow inline runs after which a task runs only on threads on this worker. One is not enough: a
 * short task is now and then slow by no fault of its own (a GC, the VM taking the core away).
 * After each, the task goes to threads until its runs are short again (INLINE_MIN_SHORT).
 */
export const INLINE_SLOW_STRIKES = 3;

/** Whether a task run goes inline, to a thread, or to a thread while its flow's code loads on the I/O loop. */
export type InlineVerdict = "inline" | "thread" | "load";

type CodeState = "loading" | "ready" | "failed";

/**
 * A worker's inline decisions (part of the pure WorkerState): a task run goes inline when the
 * worker has nothing else in hand and its batch is small (WorkerState checks those), its task
 * has no timeout, its latest runs here were all short, it never ran slow inline on this worker,
 * and its flow's code is loaded on the I/O loop (loaded there, without waiting, the first time a
 * task of the flow is known short).
 */
export class InlinePolicy {
  /** Flows' code on the I/O loop, by WorkerRun.code. */
  private readonly code = new Map<string, CodeState>();
  /** Tasks ("bundle#key") that ran slow inline INLINE_SLOW_STRIKES times here: threads only. */
  readonly tooSlow = new Set<string>();
  /** Slow inline runs so far, by task. */
  private readonly strikes = new Map<string, number>();

  /** An inline run over this is slow. */
  readonly slowMs: number;

  constructor(
    /** Off: every task run goes to a thread (FLOWGATE_INLINE_TASKS=off). */
    readonly enabled: boolean,
    /** A run under this is short (FLOWGATE_INLINE_SHORT_MS; see parseInlineShortMs). */
    readonly shortMs = SHORT_MS,
  ) {
    this.slowMs = shortMs * INLINE_SLOW_FACTOR;
  }

  /**
   * Where a task run of node `n` goes, on a worker with nothing else handed to a runner and a
   * batch of at most INLINE_MAX_BATCH; "load" is a thread now (and an `inline-load`).
   */
  verdict(run: WorkerRun, n: number, paused: boolean): InlineVerdict {
    if (!this.enabled || paused) return "thread";
    if (run.spec.nodes[n]!.timeout !== 0) return "thread";
    const d = run.durations;
    if (d.shortRuns(n) < INLINE_MIN_SHORT || this.tooSlow.has(d.name(n))) return "thread";
    const code = this.code.get(run.code);
    if (code === "ready") return "inline";
    if (code !== undefined) return "thread";
    this.code.set(run.code, "loading");
    return "load";
  }

  /** The flow's code loaded on the I/O loop (or failed to: its tasks stay on threads). */
  codeLoaded(code: string, ok: boolean): void {
    this.code.set(code, ok ? "ready" : "failed");
  }

  /**
   * An inline task run took `ms`: whether that was slow (the task then goes to threads until
   * it is short again, and for good after INLINE_SLOW_STRIKES such runs).
   */
  ranInline(run: WorkerRun, n: number, ms: number): boolean {
    if (ms <= this.slowMs) return false;
    const task = run.durations.name(n);
    const strikes = (this.strikes.get(task) ?? 0) + 1;
    this.strikes.set(task, strikes);
    if (strikes >= INLINE_SLOW_STRIKES) this.tooSlow.add(task);
    return true;
  }
}

/**
 * The short bound a worker uses, from FLOWGATE_INLINE_SHORT_MS (ms, above 0; SHORT_MS when
 * unset). A machine whose short tasks take longer (or a test on a loaded one) raises it.
 */
export function parseInlineShortMs(value: string | undefined): number {
  if (value === undefined || value === "") return SHORT_MS;
  const ms = Number(value);
  if (!Number.isFinite(ms) || ms <= 0)
    throw new Error(
      `FLOWGATE_INLINE_SHORT_MS must be a number of milliseconds above 0, not '${value}'; unset it for the default of ${SHORT_MS}`,
    );
  return ms;
}
