/** Upper bounds (seconds) of the task duration histogram's buckets, Prometheus style. */
export const DURATION_BUCKETS = [
  0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300,
] as const;

/** A cumulative histogram of task durations, as Prometheus' text format wants it. */
export class DurationHistogram {
  readonly counts = new Float64Array(DURATION_BUCKETS.length);
  count = 0;
  sum = 0;

  observe(seconds: number): void {
    this.count++;
    this.sum += seconds;
    for (let i = 0; i < DURATION_BUCKETS.length; i++)
      if (seconds <= DURATION_BUCKETS[i]!) {
        this.counts[i] = this.counts[i]! + 1;
        break;
      }
  }

  /** [le, cumulative count] pairs, ending with +Inf. */
  cumulative(): [string, number][] {
    const out: [string, number][] = [];
    let acc = 0;
    DURATION_BUCKETS.forEach((le, i) => out.push([String(le), (acc += this.counts[i]!)]));
    out.push(["+Inf", this.count]);
    return out;
  }
}
