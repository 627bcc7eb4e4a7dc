import { formatBytes } from "./memory-limit.ts";

/** Fraction of the memory limit above which a worker starts no new task (Dask's `pause` threshold). */
export const PAUSE_FRACTION = 0.8;

export interface MemoryMonitorOptions {
  /** Bytes. */
  readonly limit: number;
  /** The worker's name, for the log lines. */
  readonly worker: string;
  /** Called when the worker must pause (true) or may resume (false). */
  readonly setPaused: (paused: boolean) => void;
  /** Whether the worker has task runs queued or running; the timer stops when it has none. */
  readonly hasWork: () => boolean;
  /** @default process.memoryUsage.rss */
  readonly rss?: () => number;
  /** @default a line on stderr */
  readonly log?: (line: string) => void;
  /** @default 100 */
  readonly periodMs?: number;
}

/**
 * Watches the worker process's resident memory while it has work, as Dask's worker memory
 * monitor does: above PAUSE_FRACTION of the limit the worker pauses (runs its current tasks to
 * the end, then one task at a time) and it resumes once below again. Logs one line each way.
 */
export class MemoryMonitor {
  paused = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly rss: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly o: MemoryMonitorOptions) {
    this.rss = o.rss ?? process.memoryUsage.rss;
    this.log = o.log ?? ((line) => void process.stderr.write(`${line}\n`));
  }

  get threshold(): number {
    return Math.floor(this.o.limit * PAUSE_FRACTION);
  }

  /** Work arrived: check now and keep checking until the worker is idle and not paused. */
  watch(): void {
    this.check();
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.check();
      if (!this.paused && !this.o.hasWork()) this.stop();
    }, this.o.periodMs ?? 100);
    this.timer.unref();
  }

  /** Reads RSS once and pauses or resumes; returns whether the worker is paused. */
  check(): boolean {
    const rss = this.rss();
    const over = rss > this.threshold;
    if (over === this.paused) return over;
    this.paused = over;
    const limit = formatBytes(this.o.limit);
    const at = `${formatBytes(rss)} (${Math.round((rss / this.o.limit) * 100)}% of its ${limit} memory limit`;
    this.log(
      over
        ? `flowgate worker '${this.o.worker}': paused: process memory is ${at}, above the ${Math.round(PAUSE_FRACTION * 100)}% pause threshold of ${formatBytes(this.threshold)}); ` +
            `it runs one task at a time until it drops (raise --memory-limit if this persists)`
        : `flowgate worker '${this.o.worker}': resumed: process memory is ${at}, below ${formatBytes(this.threshold)})`,
    );
    this.o.setPaused(over);
    return over;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
