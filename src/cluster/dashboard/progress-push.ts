import type { Message } from "../wire/connection.ts";
import type { SchedulerState } from "../scheduler/scheduler-state.ts";
import type { DashboardCollector } from "./dashboard-collector.ts";

/**
 * Sends each client `{t: "progress", ref, progress}` for its running flow runs when their
 * progress changed since the last push (at most once per dashboard update), so that
 * ClusterExecutor can call `onProgress` as LocalExecutor does.
 */
export class ProgressPush {
  private readonly lastSig = new Map<number, string>();

  constructor(
    private readonly core: SchedulerState,
    private readonly c: DashboardCollector,
    private readonly send: (to: number, msg: Message) => void,
  ) {}

  /** Pushes changed progress of every live run. */
  tick(): void {
    for (const run of this.core.runs.values()) this.push(run.id);
    for (const id of this.lastSig.keys()) if (!this.core.runs.has(id)) this.lastSig.delete(id);
  }

  /** Pushes one run's progress if it changed (also called just before its result is sent). */
  push(runId: number): void {
    const run = this.core.runs.get(runId);
    const v = this.c.runs.get(runId);
    if (!run || !v) return;
    const sig = v.progress.map((p) => `${p.total},${p.finished},${p.failed}`).join(";");
    if (this.lastSig.get(runId) === sig) return;
    this.lastSig.set(runId, sig);
    // A copy: the collector goes on counting in these objects, and a client in this process
    // gets the message itself (message-link.ts), not its encoding.
    const progress = v.progress.map((p) => ({ ...p }));
    this.send(run.client, { t: "progress", ref: run.ref, progress });
  }
}
