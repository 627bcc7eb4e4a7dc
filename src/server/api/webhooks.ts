import { Type, type Static } from "@sinclair/typebox";
import { Id, Millis } from "./common.ts";
import { RunStateSchema } from "./run-state.ts";

/**
 * POST /api/webhooks → 201 Webhook. On each state change of a matching run the server POSTs a
 * WebhookPayload to `url` with header `X-Flowgate-Signature: sha256=<hex HMAC-SHA256 of the body
 * with secret>` and `X-Flowgate-Delivery: <id>`, retrying non-2xx answers with exponential backoff.
 */
export const CreateWebhookRequest = Type.Object(
  {
    url: Type.String({ minLength: 8, maxLength: 2000, pattern: "^https?://" }),
    secret: Type.String({ minLength: 8, maxLength: 500 }),
    /** flow ids; empty/absent = every flow you can see */
    flows: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 1000 })),
    /** states; empty/absent = every state */
    states: Type.Optional(Type.Array(RunStateSchema, { maxItems: 20 })),
    /** admins only: runs of every user (default: only your own runs) */
    allUsers: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateWebhookRequest = Static<typeof CreateWebhookRequest>;

/** A webhook (the secret is never returned). */
export const Webhook = Type.Object({
  id: Id,
  user: Type.String(),
  url: Type.String(),
  flows: Type.Array(Type.Integer()),
  states: Type.Array(Type.String()),
  /** runs of every user (an admin's webhook), else only the owner's */
  allUsers: Type.Boolean(),
  createdAt: Millis,
});
export type Webhook = Static<typeof Webhook>;

/** The body POSTed to a webhook. */
export const WebhookPayload = Type.Object({
  event: Type.Literal("run.state"),
  deliveryId: Type.String(),
  runId: Id,
  flowId: Id,
  flowName: Type.String(),
  state: RunStateSchema,
  previous: Type.Union([RunStateSchema, Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  at: Millis,
});
export type WebhookPayload = Static<typeof WebhookPayload>;

/** One delivery attempt series (GET /api/webhooks/{id}/deliveries). */
export const WebhookDelivery = Type.Object({
  id: Type.String(),
  runId: Id,
  state: Type.String(),
  attempts: Type.Integer(),
  status: Type.Union([Type.Literal("pending"), Type.Literal("delivered"), Type.Literal("failed")]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  nextAttemptAt: Type.Union([Millis, Type.Null()]),
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;
