/**
 * A deduplicating work queue with per-item exponential backoff, as Dask Gateway's workqueue.py:
 * an item queued twice is processed once; an item is never processed by two loops at once (a
 * put while it is processing re-queues it afterwards); a failed item is retried after a delay
 * that doubles up to a maximum.
 */
export class WorkQueue<T> {
  readonly #queue: T[] = [];
  readonly #queued = new Set<T>();
  readonly #processing = new Set<T>();
  readonly #dirty = new Set<T>();
  readonly #timers = new Map<T, NodeJS.Timeout>();
  readonly #failures = new Map<T, number>();
  #waiters: (() => void)[] = [];
  #closed = false;

  constructor(
    private readonly baseDelayMs = 100,
    private readonly maxDelayMs = 30_000,
  ) {}

  put(item: T): void {
    if (this.#closed) return;
    const t = this.#timers.get(item);
    if (t) {
      clearTimeout(t);
      this.#timers.delete(item);
    }
    if (this.#processing.has(item)) {
      this.#dirty.add(item);
      return;
    }
    if (this.#queued.has(item)) return;
    this.#queued.add(item);
    this.#queue.push(item);
    this.#waiters.shift()?.();
  }

  /** Re-queues after the item's backoff delay. */
  putBackoff(item: T): void {
    const n = (this.#failures.get(item) ?? 0) + 1;
    this.#failures.set(item, n);
    const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (n - 1));
    if (this.#timers.has(item) || this.#closed) return;
    const t = setTimeout(() => {
      this.#timers.delete(item);
      this.put(item);
    }, delay);
    t.unref();
    this.#timers.set(item, t);
  }

  /** Forgets the item's failure count (after it was processed successfully). */
  resetBackoff(item: T): void {
    this.#failures.delete(item);
  }

  /** Waits for the next item; resolves undefined once closed. */
  async get(): Promise<T | undefined> {
    while (!this.#closed) {
      const item = this.#queue.shift();
      if (item !== undefined) {
        this.#queued.delete(item);
        this.#processing.add(item);
        return item;
      }
      await new Promise<void>((r) => this.#waiters.push(r));
    }
    return undefined;
  }

  /** Marks processing of the item done; re-queues it if it was put meanwhile. */
  done(item: T): void {
    this.#processing.delete(item);
    if (this.#dirty.delete(item)) this.put(item);
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    for (const w of this.#waiters) w();
    this.#waiters = [];
  }
}
