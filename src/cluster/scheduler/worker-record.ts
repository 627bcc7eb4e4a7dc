import type { SchedulerToWorker, WireHint, WorkerHeartbeat } from "../messages.ts";
import { ComputeBatch } from "../wire/compute-batch.ts";

/** The scheduler's view of one connected worker. */
export class WorkerRecord {
  /** Task runs placed on it and not finished (running or queued there): its run's `active` ones. */
  assigned = 0;
  /** Tasks to send at the end of this turn, by run. */
  readonly outgoing = new Map<number, ComputeBatch>();
  /** `next` hints for those tasks (speculative assignment), by run. */
  readonly outgoingHints = new Map<number, [number, number, WireHint][]>();
  /** When it was last heard from (the scheduler's clock). */
  lastSeen: number;
  executed = 0;
  closing = false;
  /** Bytes of results it holds and whether it is paused (over 80% of its memory limit), from its last heartbeat. */
  bytes = 0;
  paused = false;
  /** Bytes of task inputs it handed to its task threads, and when it said so (its clock), from its last heartbeat. */
  inputBytes = 0;
  heartbeatAt = 0;
  /** A steal request to this worker awaits its answer. */
  stealing = false;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly address: string,
    readonly slots: number,
    /** When it joined (the scheduler's clock). */
    readonly joinedAt = 0,
  ) {
    this.lastSeen = joinedAt;
  }

  /** A heartbeat came: it is alive (see SchedulerServer's sweep), and how full it is. */
  noteHeartbeat(hb: WorkerHeartbeat, now: number): void {
    this.lastSeen = now;
    this.bytes = hb.bytes;
    this.paused = hb.paused === true;
    if (typeof hb.inputBytes === "number") this.inputBytes = hb.inputBytes;
    if (typeof hb.now === "number") this.heartbeatAt = hb.now;
  }

  /** What the status endpoint and the dashboard show of it. */
  summary() {
    return {
      name: this.name,
      address: this.address,
      slots: this.slots,
      processing: this.assigned,
      executed: this.executed,
      closing: this.closing,
      paused: this.paused,
      inputBytes: this.inputBytes,
      heartbeatAt: this.heartbeatAt,
    };
  }

  /** The `compute` messages of this turn's placements (one per run), leaving none queued. */
  takeComputes(): Extract<SchedulerToWorker, { t: "compute" }>[] {
    const out: Extract<SchedulerToWorker, { t: "compute" }>[] = [];
    for (const [run, batch] of this.outgoing) {
      const { tasks, tables } = batch.toWire();
      const next = this.outgoingHints.size > 0 ? this.outgoingHints.get(run) : undefined;
      out.push(
        next ? { t: "compute", run, tasks, tables, next } : { t: "compute", run, tasks, tables },
      );
    }
    this.outgoing.clear();
    this.outgoingHints.clear();
    return out;
  }
}
