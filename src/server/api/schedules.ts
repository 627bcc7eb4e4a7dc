import { Type, type Static } from "@sinclair/typebox";
import { Id, Json, Labels, Millis } from "./common.ts";

const ClockExtras = {
  /** parameter defaults for runs this clock creates (over the flow's own defaults) */
  parameters: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), Json)),
  /** labels for runs this clock creates (instead of the flow's) */
  labels: Type.Optional(Labels),
};

/** Every `every` seconds from `start` (ms; default: when the clock was set). */
export const IntervalClock = Type.Object(
  {
    type: Type.Literal("interval"),
    every: Type.Number({ minimum: 1, maximum: 366 * 86400 }),
    start: Type.Optional(Millis),
    ...ClockExtras,
  },
  { additionalProperties: false },
);
/** A 5- or 6-field cron expression evaluated in `timezone` (IANA name; default UTC), DST-correct. */
export const CronClock = Type.Object(
  {
    type: Type.Literal("cron"),
    cron: Type.String({ minLength: 1, maxLength: 200 }),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    ...ClockExtras,
  },
  { additionalProperties: false },
);
export const Clock = Type.Union([IntervalClock, CronClock]);
export type Clock = Static<typeof Clock>;

/** PUT /api/flows/{id}/schedule body, and `schedule` at registration. */
export const ScheduleInput = Type.Object(
  { clocks: Type.Array(Clock, { maxItems: 50 }), active: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type ScheduleInput = Static<typeof ScheduleInput>;

/** A flow's schedule: runs are created ahead (the server's `scheduleAhead` count) exactly once. */
export const Schedule = Type.Object({
  flowId: Id,
  active: Type.Boolean(),
  clocks: Type.Array(Clock),
  /** the next start times the clocks give, ms */
  upcoming: Type.Array(Millis),
  updatedAt: Millis,
});
export type Schedule = Static<typeof Schedule>;
