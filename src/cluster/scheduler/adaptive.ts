/**
 * The adaptive worker target (pure): enough workers to finish the queued and running work in
 * about `targetSeconds`, clamped to [minimum, maximum]. Scaling up is immediate; scaling down
 * only after `waitCount` lower targets in a row.
 */
export class AdaptiveTarget {
  private lowerStreak = 0;
  current: number;

  constructor(
    public minimum: number,
    public maximum: number,
    private readonly targetSeconds = 5,
    private readonly waitCount = 3,
  ) {
    this.current = minimum;
  }

  /** One check: pending task count, mean task duration (ms, -1 unknown), slots per worker. */
  update(pending: number, avgMs: number, slotsPerWorker: number): number {
    const ms = avgMs < 0 ? 500 : avgMs;
    let want =
      pending === 0
        ? 0
        : Math.ceil((pending * ms) / 1000 / this.targetSeconds / Math.max(1, slotsPerWorker));
    want = Math.min(want, Math.ceil(pending / Math.max(1, slotsPerWorker)));
    if (pending > 0) want = Math.max(want, 1);
    want = Math.max(this.minimum, Math.min(this.maximum, want));
    if (want >= this.current) {
      this.lowerStreak = 0;
      this.current = want;
    } else if (++this.lowerStreak >= this.waitCount) {
      this.lowerStreak = 0;
      this.current = want;
    }
    return this.current;
  }
}
