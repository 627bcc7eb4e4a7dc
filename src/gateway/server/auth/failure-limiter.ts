/**
 * Counts failed authentications per key (a client address, a user name) in a sliding window.
 * An attempt counts as failed from the moment it starts until it succeeds, so a burst of
 * concurrent wrong passwords is capped too, not only the ones that have finished.
 */
export class FailureLimiter {
  readonly #failures = new Map<string, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  #recent(key: string, now: number): number[] {
    const list = this.#failures.get(key);
    if (!list) return [];
    while (list.length && list[0]! <= now - this.windowMs) list.shift();
    if (list.length === 0) this.#failures.delete(key);
    return list;
  }

  /** Seconds until `key` may try again, or 0 when it may try now. */
  retryAfterS(key: string, now = Date.now()): number {
    const list = this.#recent(key, now);
    if (list.length < this.max) return 0;
    return Math.max(1, Math.ceil((list[list.length - this.max]! + this.windowMs - now) / 1000));
  }

  /** Records the start of an attempt (a failure until `succeeded` takes it back). */
  begin(key: string, now = Date.now()): number {
    if (!this.#failures.has(key) && this.#failures.size >= this.maxKeys) this.#prune(now);
    let list = this.#failures.get(key);
    if (!list) this.#failures.set(key, (list = []));
    list.push(now);
    return now;
  }

  /** Takes back the failure recorded by `begin` at `at`. */
  succeeded(key: string, at: number): void {
    const list = this.#failures.get(key);
    const i = list?.lastIndexOf(at) ?? -1;
    if (list && i >= 0) list.splice(i, 1);
    if (list?.length === 0) this.#failures.delete(key);
  }

  #prune(now: number): void {
    for (const key of [...this.#failures.keys()]) this.#recent(key, now);
    // Still full: forget the oldest keys rather than grow without bound.
    for (const key of this.#failures.keys()) {
      if (this.#failures.size < this.maxKeys) break;
      this.#failures.delete(key);
    }
  }
}
