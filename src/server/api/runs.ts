import { Type, type Static } from "@sinclair/typebox";
import { Id, Json, Labels, Millis, PageQuery } from "./common.ts";
import { RunStateSchema } from "./run-state.ts";

/** The run's cluster, as the agent reports it (PUT /api/runs/{id}/cluster). */
export const RunCluster = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    /** the gateway's address (http[s]://host:port); absent for a local cluster */
    gateway: Type.Optional(Type.String({ maxLength: 500 })),
    dashboardLink: Type.Optional(Type.String({ maxLength: 1000 })),
    schedulerAddress: Type.Optional(Type.String({ maxLength: 500 })),
    /** the gateway's status names: PENDING | RUNNING | STOPPING | STOPPED | FAILED */
    status: Type.Optional(Type.String({ maxLength: 20 })),
    stopReason: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type RunCluster = Static<typeof RunCluster>;

/** What the run cost: seconds workers were up, and seconds tasks ran. */
export const RunCost = Type.Object(
  { workerSeconds: Type.Number({ minimum: 0 }), taskSeconds: Type.Number({ minimum: 0 }) },
  { additionalProperties: false },
);
export type RunCost = Static<typeof RunCost>;

/** A flow run. */
export const Run = Type.Object({
  id: Id,
  flowId: Id,
  flowName: Type.String(),
  project: Type.String(),
  version: Type.Integer({ minimum: 1 }),
  user: Type.String(),
  state: RunStateSchema,
  /** why it is in this state (Queued: which limit; Crashed: what happened; …) */
  stateReason: Type.Union([Type.String(), Type.Null()]),
  parameters: Type.Record(Type.String(), Json),
  labels: Labels,
  /** when it should start, ms */
  scheduledAt: Millis,
  /** the schedule clock that made it (index), or null for a manual run */
  clock: Type.Union([Type.Integer(), Type.Null()]),
  agentId: Type.Union([Id, Type.Null()]),
  createdAt: Millis,
  startedAt: Type.Union([Millis, Type.Null()]),
  endedAt: Type.Union([Millis, Type.Null()]),
  /** the flow's result (JSON) once Success */
  result: Type.Optional(Json),
  cluster: Type.Union([RunCluster, Type.Null()]),
  cost: Type.Union([RunCost, Type.Null()]),
  /** set while Scheduled/Queued and no live agent's labels cover the run's (names the labels) */
  warning: Type.Union([Type.String(), Type.Null()]),
});
export type Run = Static<typeof Run>;

/** POST /api/runs → 201 Run. `flow` is a flow id, "project/name" or a name (unique among yours). */
export const CreateRunRequest = Type.Object(
  {
    flow: Type.Union([Id, Type.String({ minLength: 1, maxLength: 401 })]),
    /** default: the latest */
    version: Type.Optional(Type.Integer({ minimum: 1 })),
    parameters: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), Json)),
    /** default: the flow version's labels */
    labels: Type.Optional(Labels),
    /** ISO 8601 or ms; default now */
    startAt: Type.Optional(Type.Union([Millis, Type.String({ minLength: 1, maxLength: 100 })])),
    /** a second create with the same key returns the first run (200) */
    idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type CreateRunRequest = Static<typeof CreateRunRequest>;

/**
 * GET /api/runs query. `state` may list several, comma-separated (422 naming the valid states for
 * one that is not a run state). Newest first.
 */
export const ListRunsQuery = Type.Object(
  {
    flow: Type.Optional(Type.String({ maxLength: 401 })),
    state: Type.Optional(Type.String({ maxLength: 200 })),
    label: Type.Optional(Type.String({ maxLength: 200 })),
    user: Type.Optional(Type.String({ maxLength: 200 })),
    /** created at or after, ms */
    since: Type.Optional(Millis),
    /** created before, ms */
    until: Type.Optional(Millis),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type ListRunsQuery = Static<typeof ListRunsQuery>;

/** POST /api/runs/{id}/state (the agent that claimed it): a transition; 409 when not allowed. */
export const SetRunStateRequest = Type.Object(
  {
    state: RunStateSchema,
    reason: Type.Optional(Type.String({ maxLength: 4000 })),
    result: Type.Optional(Json),
    /** the claiming agent (required for agent-reported states) */
    agentId: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type SetRunStateRequest = Static<typeof SetRunStateRequest>;

/** One entry of a run's state history (GET /api/runs/{id}/states). */
export const RunStateRecord = Type.Object({
  state: RunStateSchema,
  reason: Type.Union([Type.String(), Type.Null()]),
  at: Millis,
});
export type RunStateRecord = Static<typeof RunStateRecord>;
