import { Type, type Static } from "@sinclair/typebox";

/**
 * A concurrency limit: at most `limit` runs at once (Submitted/Running/Cancelling) of one flow
 * (`scope: "flow"`, key = flow id as text) or carrying one label (`scope: "label"`). Runs over it
 * wait as Queued with the reason naming the limit.
 */
export const LimitScope = Type.Union([Type.Literal("flow"), Type.Literal("label")]);
export type LimitScope = Static<typeof LimitScope>;

export const ConcurrencyLimit = Type.Object({
  scope: LimitScope,
  key: Type.String(),
  limit: Type.Integer(),
  /** runs holding a slot now */
  active: Type.Integer(),
});
export type ConcurrencyLimit = Static<typeof ConcurrencyLimit>;

/** PUT /api/concurrency-limits/{scope}/{key} body (admins only). */
export const SetLimitRequest = Type.Object(
  { limit: Type.Integer({ minimum: 0, maximum: 1000000 }) },
  { additionalProperties: false },
);
export type SetLimitRequest = Static<typeof SetLimitRequest>;
