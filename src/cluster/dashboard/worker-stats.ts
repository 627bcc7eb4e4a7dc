/**
 * What a worker's heartbeat tells the dashboard: `hb` messages carry `rss` (bytes), `cpu`
 * (process CPU time, µs, cumulative), `bytes` (results held) and `load` (tasks on its threads).
 * CPU use is the CPU time spent between two heartbeats over the wall time between them.
 */
export class WorkerStats {
  rss = 0;
  stored = 0;
  load = 0;
  /** CPU use as a fraction of one core (1.5 = one and a half cores busy). */
  cpu = 0;
  lastBeat = 0;
  /** Bytes this worker fetched from peers, and how many fetches. */
  bytesIn = 0;
  transfers = 0;
  /** Worker clock minus scheduler clock (ms), from the last heartbeat. */
  skew = 0;
  private lastCpu = -1;
  private lastCpuAt = 0;

  beat(m: Record<string, unknown>, now: number): void {
    this.lastBeat = now;
    if (typeof m.rss === "number") this.rss = m.rss;
    if (typeof m.bytes === "number") this.stored = m.bytes;
    if (typeof m.load === "number") this.load = m.load;
    if (typeof m.now === "number") this.skew = m.now - now;
    if (typeof m.cpu === "number") {
      // wall time between beats on the worker's own clock, when it sends it
      const at = typeof m.now === "number" ? m.now : now;
      if (this.lastCpu >= 0 && at > this.lastCpuAt)
        this.cpu = Math.max(0, (m.cpu - this.lastCpu) / 1000 / (at - this.lastCpuAt));
      this.lastCpu = m.cpu;
      this.lastCpuAt = at;
    }
  }
}
