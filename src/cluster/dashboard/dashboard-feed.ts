import type { ServerResponse } from "node:http";
import type { SchedulerState } from "../scheduler/scheduler-state.ts";
import type { DashboardCollector } from "./dashboard-collector.ts";

/** Most stream records and log lines one update carries; the rest are dropped (the newest win). */
const MAX_RECORDS_PER_UPDATE = 3000;
const MAX_LOGS_PER_UPDATE = 200;

/**
 * The dashboard's live feed: every `periodMs` it builds ONE aggregated update (worker table,
 * progress per task, new task-stream records, new log lines) and writes that same text to every
 * server-sent-events client. The cost per update is bounded whatever the task rate; a client
 * that cannot keep up skips updates instead of buffering them.
 */
export class DashboardFeed {
  private readonly clients = new Set<ServerResponse>();
  private readonly timer: NodeJS.Timeout;
  private streamSeq = 0;
  private logSeq = 0;
  private last = { at: Date.now(), completed: 0 };
  private rate = 0;
  /** Called once per update, after the collector refreshed (progress push to clients). */
  onTick: () => void = () => {};

  constructor(
    private readonly server: { readonly core: SchedulerState; readonly address: string },
    private readonly c: DashboardCollector,
    readonly periodMs = 300,
  ) {
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (e) {
        // the feed must never take the scheduler down; the next tick retries
        process.stderr.write(`flowgate dashboard: update failed: ${(e as Error).message}\n`);
      }
    }, periodMs);
    this.timer.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Starts an event stream on `res`: a full first update, then one per period. */
  attach(res: ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    });
    res.write(`retry: 2000\n\n`);
    res.write(frame(this.current()));
    this.clients.add(res);
    res.on("close", () => this.clients.delete(res));
  }

  /** The full current state, as the first update of a stream (also served as JSON). */
  current(): Record<string, unknown> {
    this.c.refreshRuns();
    return this.update(0, 5000, 0, 300);
  }

  private tick(): void {
    const now = Date.now();
    const core = this.server.core;
    if (now > this.last.at) {
      const r = ((core.completed - this.last.completed) * 1000) / (now - this.last.at);
      this.rate = this.rate * 0.5 + r * 0.5;
      this.last = { at: now, completed: core.completed };
    }
    this.c.refreshRuns(now);
    this.onTick();
    if (this.clients.size === 0) {
      this.streamSeq = this.c.stream.records.seq;
      this.logSeq = this.c.logs.seq;
      return;
    }
    const text = frame(
      this.update(this.streamSeq, MAX_RECORDS_PER_UPDATE, this.logSeq, MAX_LOGS_PER_UPDATE),
    );
    this.streamSeq = this.c.stream.records.seq;
    this.logSeq = this.c.logs.seq;
    for (const res of this.clients) {
      if (res.writableNeedDrain) continue;
      res.write(text);
    }
  }

  private update(
    streamFrom: number,
    maxRecords: number,
    logFrom: number,
    maxLogs: number,
  ): Record<string, unknown> {
    const core = this.server.core;
    const now = Date.now();
    return {
      now,
      t: now - this.c.stream.origin,
      address: this.server.address,
      tasksPerSecond: Math.round(this.rate),
      totals: {
        queued: core.queue.size,
        processing: core.processing,
        completed: core.completed,
        bytesMoved: this.c.bytesMoved,
        transfers: this.c.transfers,
        ...this.c.outcomes,
      },
      workers: [...core.workers.values()].map((w) => {
        const st = this.c.workerStats.get(w.id);
        return {
          id: w.id,
          ...w.summary(),
          cpu: st?.cpu ?? 0,
          rss: st?.rss ?? 0,
          stored: st?.stored ?? 0,
          bytesIn: st?.bytesIn ?? 0,
          beatAgo: st ? now - st.lastBeat : null,
        };
      }),
      runs: [...this.c.runs.values()],
      names: this.c.stream.names,
      stream: this.c.stream.records.since(streamFrom, maxRecords),
      logs: this.c.logs.since(logFrom, maxLogs),
    };
  }

  close(): void {
    clearInterval(this.timer);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}

function frame(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}
