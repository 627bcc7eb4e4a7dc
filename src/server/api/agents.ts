import { Type, type Static } from "@sinclair/typebox";
import { Id, Labels, Millis, Name } from "./common.ts";
import { FlowVersion } from "./flows.ts";
import { Run } from "./runs.ts";

/** POST /api/agents → 201 AgentRegistered. An agent registers once per process. */
export const RegisterAgentRequest = Type.Object(
  {
    name: Name,
    labels: Type.Optional(Labels),
    /** runs it executes at once @default 1 */
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    /** the gateway it uses for runs without an environment */
    gateway: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type RegisterAgentRequest = Static<typeof RegisterAgentRequest>;

export const Agent = Type.Object({
  id: Id,
  name: Type.String(),
  user: Type.String(),
  labels: Labels,
  concurrency: Type.Integer(),
  gateway: Type.Union([Type.String(), Type.Null()]),
  createdAt: Millis,
  lastSeenAt: Millis,
  /** heartbeat within the server's `agentTimeout` */
  live: Type.Boolean(),
  /** runs it holds (Submitted/Running/Cancelling) */
  runs: Type.Array(Id),
});
export type Agent = Static<typeof Agent>;

/** The agent must heartbeat every `heartbeatMs`; silent for `timeoutMs`, its runs are Crashed. */
export const AgentRegistered = Type.Object({
  agent: Agent,
  heartbeatMs: Type.Integer(),
  timeoutMs: Type.Integer(),
});
export type AgentRegistered = Static<typeof AgentRegistered>;

/** POST /api/agents/{id}/heartbeat → HeartbeatResponse. */
export const HeartbeatRequest = Type.Object(
  { runs: Type.Optional(Type.Array(Id, { maxItems: 10000 })) },
  { additionalProperties: false },
);
export type HeartbeatRequest = Static<typeof HeartbeatRequest>;

/** Runs of this agent that are Cancelling (stop them, then report Cancelled). */
export const HeartbeatResponse = Type.Object({ cancel: Type.Array(Id) });
export type HeartbeatResponse = Static<typeof HeartbeatResponse>;

/**
 * POST /api/agents/{id}/claim: long poll. Answers at once with up to `max` ready runs whose
 * labels ⊆ the agent's (each run to exactly one agent, atomically: it becomes Submitted), or
 * with runs to cancel; otherwise waits up to `waitMs` for one, then answers with empty lists.
 * Also counts as a heartbeat.
 */
export const ClaimRequest = Type.Object(
  {
    max: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    waitMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60000 })),
  },
  { additionalProperties: false },
);
export type ClaimRequest = Static<typeof ClaimRequest>;

/** A claimed run with what the agent needs to execute it (fetch the bundle by its hash). */
export const ClaimedRun = Type.Object({ run: Run, flow: FlowVersion });
export type ClaimedRun = Static<typeof ClaimedRun>;

export const ClaimResponse = Type.Object({ runs: Type.Array(ClaimedRun), cancel: Type.Array(Id) });
export type ClaimResponse = Static<typeof ClaimResponse>;
