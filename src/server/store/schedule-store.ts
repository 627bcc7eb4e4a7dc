import type { Clock, Schedule, ScheduleInput } from "../api/index.ts";
import { nextTimes } from "../scheduling/clocks.ts";
import type { SqlDriver } from "./sql-driver.ts";

export interface ScheduleRow {
  flow_id: number;
  active: number;
  clocks: string;
  generation: number;
  set_at: number;
  updated_at: number;
}

/** The API's Schedule with its next `n` start times. */
export function toSchedule(r: ScheduleRow, now: number, n: number): Schedule {
  const clocks = JSON.parse(r.clocks) as Clock[];
  const upcoming = clocks
    .flatMap((c) => nextTimes(c, r.set_at, now, n))
    .sort((a, b) => a - b)
    .slice(0, n);
  return {
    flowId: r.flow_id,
    active: r.active === 1,
    clocks,
    upcoming: r.active ? upcoming : [],
    updatedAt: r.updated_at,
  };
}

/** Flows' schedules. Each change bumps the generation and drops the runs made ahead by the old one. */
export class ScheduleStore {
  constructor(private readonly db: SqlDriver) {}

  async get(flowId: number, db: SqlDriver = this.db): Promise<ScheduleRow | undefined> {
    return db.get<ScheduleRow>("SELECT * FROM schedules WHERE flow_id = ?", [flowId]);
  }

  async active(): Promise<ScheduleRow[]> {
    return this.db.all<ScheduleRow>("SELECT * FROM schedules WHERE active = 1");
  }

  /** Replaces (input with clocks) or pauses/resumes (input null) a flow's schedule. */
  async set(
    flowId: number,
    input: ScheduleInput | null,
    active: boolean | undefined,
    now: number,
  ): Promise<ScheduleRow> {
    return this.db.transaction(async (tx) => {
      const old = await this.get(flowId, tx);
      const clocks = input ? JSON.stringify(input.clocks) : (old?.clocks ?? "[]");
      const on = (active ?? input?.active ?? (old ? old.active === 1 : true)) ? 1 : 0;
      const gen = (old?.generation ?? 0) + 1;
      const setAt = input ? now : (old?.set_at ?? now);
      await tx.run(
        `INSERT INTO schedules (flow_id, active, clocks, generation, set_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (flow_id) DO UPDATE SET active = excluded.active, clocks = excluded.clocks,
           generation = excluded.generation, set_at = excluded.set_at, updated_at = excluded.updated_at`,
        [flowId, on, clocks, gen, setAt, now],
      );
      await tx.run(
        "DELETE FROM run_states WHERE run_id IN (SELECT id FROM runs WHERE flow_id = ? AND state = 'Scheduled' AND clock IS NOT NULL)",
        [flowId],
      );
      await tx.run(
        "DELETE FROM runs WHERE flow_id = ? AND state = 'Scheduled' AND clock IS NOT NULL",
        [flowId],
      );
      return (await this.get(flowId, tx))!;
    }, `schedule:${flowId}`);
  }
}
