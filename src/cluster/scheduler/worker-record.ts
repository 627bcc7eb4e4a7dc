import type { ComputeTask } from "../messages.ts";
import type { TaskRecord } from "./task-record.ts";

/** The scheduler's view of one connected worker. */
export class WorkerRecord {
  readonly assigned = new Set<TaskRecord>();
  /** Tasks to send at the end of this turn, by run. */
  readonly outgoing = new Map<number, ComputeTask[]>();
  lastSeen = Date.now();
  executed = 0;
  closing = false;
  /** A steal request to this worker awaits its answer. */
  stealing = false;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly address: string,
    readonly slots: number,
  ) {}
}
