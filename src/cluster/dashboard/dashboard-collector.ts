import { progressOf, type TaskProgress } from "../../graph/index.ts";
import type { TaskLog } from "../messages.ts";
import { DoneReader, type DoneMessage } from "../wire/done-batch.ts";
import type { FlowRun } from "../scheduler/flow-run.ts";
import type { SchedulerState } from "../scheduler/scheduler-state.ts";
import type { Message } from "../wire/connection.ts";
import { DurationHistogram } from "./duration-histogram.ts";
import { RingBuffer } from "./ring-buffer.ts";
import { TaskStream } from "./task-stream.ts";
import { WorkerStats } from "./worker-stats.ts";

/** One line of the cluster's log: [time (epoch ms), level, worker, task label, message]. */
export type ClusterLogLine = [number, string, string, string, string];

/** A flow run as the dashboard shows it. */
export interface RunView {
  readonly id: number;
  readonly flowName: string;
  readonly flowRunId: string;
  readonly nodes: number;
  readonly startedAt: number;
  endedAt: number | null;
  progress: readonly TaskProgress[];
}

/** Outcome names by the `done` entry's code (OutcomeCode). */
const OUTCOMES = ["success", "failed", "timedout", "skipped"] as const;

/**
 * Everything the dashboard and /metrics show that the scheduler does not keep itself: task
 * stream records, task durations, outcomes, bytes moved, worker heartbeats and recent task logs.
 * It reads the messages the scheduler receives (before the scheduler acts on them) and keeps
 * only bounded aggregates, so its cost does not grow with the number of tasks.
 */
export class DashboardCollector {
  readonly stream = new TaskStream();
  readonly logs = new RingBuffer<ClusterLogLine>(2000);
  readonly durations = new DurationHistogram();
  readonly outcomes: Record<(typeof OUTCOMES)[number], number> = {
    success: 0,
    failed: 0,
    timedout: 0,
    skipped: 0,
  };
  readonly workerStats = new Map<number, WorkerStats>();
  /** Runs seen, newest last; ended ones keep their final progress (the scheduler forgets them). */
  readonly runs = new Map<number, RunView>();
  bytesMoved = 0;
  transfers = 0;

  constructor(private readonly core: SchedulerState) {}

  /** Feeds one message the scheduler received from connection `from`. */
  observe(from: number, m: Message): void {
    const now = Date.now();
    switch (m.t) {
      case "done":
        return this.done(from, m, now);
      case "logs":
        return this.taskLogs(from, m);
      case "hb":
        return this.beat(from, m, now);
      case "gathered":
      case "load-failed": {
        const run = this.core.runs.get(m.run as number);
        if (run) this.track(run, now);
      }
    }
  }

  private done(from: number, m: Message, now: number): void {
    const run = this.core.runs.get(m.run as number);
    const w = this.core.workers.get(from);
    if (!run || !w) return;
    const done = new DoneReader(m as unknown as DoneMessage);
    for (let i = 0; i < done.size; i++) {
      const ms = done.at(i).ms;
      const name = run.spec.nodes[done.node]?.id ?? "?";
      this.stream.addTask(from, w.slots, now - ms, now, name);
      this.durations.observe(ms / 1000);
      const o = OUTCOMES[done.code];
      if (o) this.outcomes[o]++;
    }
  }

  private taskLogs(from: number, m: Message): void {
    const run = this.core.runs.get(m.run as number);
    const worker = this.core.workers.get(from)?.name ?? String(from);
    for (const [time, level, node, child, message] of m.logs as TaskLog[]) {
      const id = run?.spec.nodes[node]?.id ?? "?";
      this.logs.push([time, level, worker, child < 0 ? id : `${id}[${child}]`, message]);
    }
  }

  private beat(from: number, m: Message, now: number): void {
    const w = this.core.workers.get(from);
    if (!w) return;
    let st = this.workerStats.get(from);
    if (!st) this.workerStats.set(from, (st = new WorkerStats()));
    st.beat(m, now);
    const xfer = m.xfer as number[] | undefined;
    if (!Array.isArray(xfer)) return;
    // [start, end, bytes] triples on the worker's clock
    for (let i = 0; i + 2 < xfer.length; i += 3) {
      this.stream.addTransfer(from, w.slots, xfer[i]! - st.skew, xfer[i + 1]! - st.skew);
      st.bytesIn += xfer[i + 2]!;
      st.transfers++;
      this.bytesMoved += xfer[i + 2]!;
      this.transfers++;
    }
  }

  /** Brings the runs table up to date: progress of live runs, end time of forgotten ones. */
  refreshRuns(now = Date.now()): void {
    for (const run of this.core.runs.values()) this.track(run, now);
    for (const v of this.runs.values())
      if (v.endedAt === null && !this.core.runs.has(v.id)) v.endedAt = now;
    for (const id of this.workerStats.keys())
      if (!this.core.workers.has(id)) {
        this.workerStats.delete(id);
        this.stream.forgetWorker(id);
      }
    if (this.runs.size > 20) {
      for (const [id, v] of this.runs) {
        if (this.runs.size <= 20) break;
        if (v.endedAt !== null) this.runs.delete(id);
      }
    }
  }

  private track(run: FlowRun, now: number): void {
    let v = this.runs.get(run.id);
    if (!v) {
      v = {
        id: run.id,
        flowName: run.flowName,
        flowRunId: run.flowRunId,
        nodes: run.spec.nodes.length,
        startedAt: now,
        endedAt: null,
        progress: [],
      };
      this.runs.set(run.id, v);
    }
    v.progress = progressOf(run.state);
  }
}
