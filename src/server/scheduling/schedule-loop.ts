import type { Clock } from "../api/index.ts";
import type { EventHub } from "../events/event-hub.ts";
import type { RunService, ServerLog } from "../runs/run-service.ts";
import type { NewRun } from "../store/run-store.ts";
import type { ScheduleRow } from "../store/schedule-store.ts";
import type { Store } from "../store/store.ts";
import { nextTimes } from "./clocks.ts";

/**
 * Keeps `ahead` upcoming runs per clock of every active schedule. Runs are keyed by (flow,
 * schedule generation, clock, start time) with a unique constraint, and each flow is handled
 * under a lock, so two server processes on one PostgreSQL create each run exactly once.
 *
 * Catch-up policy (after downtime or when no agent took them): of the runs one clock made that
 * are already late, only the latest still runs; the older ones are Cancelled with the reason.
 * Start times that fell entirely inside a downtime (no run was made ahead for them) are skipped,
 * never back-filled.
 */
export class ScheduleLoop {
  #timer: NodeJS.Timeout | null = null;
  #busy = false;

  constructor(
    private readonly store: Store,
    private readonly runs: RunService,
    private readonly hub: EventHub,
    private readonly ahead: number,
    private readonly periodMs: number,
    private readonly log: ServerLog,
  ) {}

  start(): void {
    void this.tick();
    this.#timer = setInterval(() => void this.tick(), this.periodMs);
  }

  async tick(now = Date.now()): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (const s of await this.store.schedules.active()) await this.#fill(s.flow_id, now);
    } catch (e) {
      this.log("warn", `schedule tick failed: ${(e as Error).message}`);
    } finally {
      this.#busy = false;
    }
  }

  /** Creates the missing upcoming runs of one flow's schedule, then applies the catch-up policy. */
  async #fill(flowId: number, now: number): Promise<void> {
    const created = await this.store.db.transaction(async (tx) => {
      const s = await this.store.schedules.get(flowId, tx);
      if (!s || s.active !== 1) return [];
      const flow = await tx.get<{ latest_version: number; user_name: string }>(
        "SELECT latest_version, user_name FROM flows WHERE id = ?",
        [flowId],
      );
      const v = await tx.get<{ labels: string }>(
        "SELECT labels FROM flow_versions WHERE flow_id = ? AND version = ?",
        [flowId, flow!.latest_version],
      );
      const rows = this.#upcoming(
        s,
        flow!.latest_version,
        flow!.user_name,
        JSON.parse(v!.labels) as string[],
        now,
      );
      return this.store.runs.createScheduled(tx, rows, now);
    }, `schedule:${flowId}`);
    if (created.length) this.hub.ready();
    for (const id of created) this.hub.changed(id);
    await this.#catchUp(flowId, now);
  }

  #upcoming(
    s: ScheduleRow,
    version: number,
    user: string,
    flowLabels: string[],
    now: number,
  ): NewRun[] {
    const clocks = JSON.parse(s.clocks) as Clock[];
    return clocks.flatMap((c, i) =>
      nextTimes(c, s.set_at, now, this.ahead).map((t) => ({
        flowId: s.flow_id,
        version,
        user,
        parameters: c.parameters ?? {},
        labels: c.labels ?? flowLabels,
        scheduledAt: t,
        clock: i,
        scheduleGen: s.generation,
      })),
    );
  }

  async #catchUp(flowId: number, now: number): Promise<void> {
    const late = await this.store.db.all<{ id: number; clock: number; scheduled_at: number }>(
      "SELECT id, clock, scheduled_at FROM runs WHERE flow_id = ? AND clock IS NOT NULL AND state IN ('Scheduled', 'Queued') AND scheduled_at <= ? ORDER BY clock, scheduled_at DESC",
      [flowId, now],
    );
    const latest = new Set<number>();
    for (const r of late) {
      if (!latest.has(r.clock)) {
        latest.add(r.clock);
        continue;
      }
      const reason = `skipped by the catch-up policy: a later run of the same clock (${r.clock}) is due, and only the latest late run runs`;
      await this.runs.transition(r.id, "Cancelled", { reason }, now).catch(() => {});
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
