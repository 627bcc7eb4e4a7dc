import { Type, type Static, type TSchema } from "@sinclair/typebox";

/**
 * Shapes shared by every part of the server's REST API. Times are milliseconds since the epoch
 * (as the gateway's), ids are positive integers, lists are pages with an opaque `next` cursor.
 */

/** Every 4xx/5xx body: what was wrong, with the value, and how to fix it. */
export const ErrorBody = Type.Object({ error: Type.String() }, { $id: "ErrorBody" });
export type ErrorBody = Static<typeof ErrorBody>;

/** A row id (runs, flows, agents, webhooks…). */
export const Id = Type.Integer({ minimum: 1 });

/** Milliseconds since the epoch. */
export const Millis = Type.Integer({ minimum: 0 });

/** A label: what an agent offers and a run needs (a run goes to an agent whose labels ⊇ its own). */
export const Label = Type.String({ minLength: 1, maxLength: 200, pattern: "^[^,\\s]+$" });
export const Labels = Type.Array(Label, { maxItems: 64 });

/** Any JSON value (parameters, results). */
export const Json = Type.Unknown();

/** A name users choose (flow, project, agent): letters, digits, ".", "_", "-", "/" not first. */
export const Name = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: "^[A-Za-z0-9_][A-Za-z0-9._ -]*$",
});

/** Pagination of every list: `limit` (1–1000, default 100) and the `cursor` from the last page. */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
};

/** A page of a list; `next` is the cursor of the following page, null on the last one. */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), next: Type.Union([Type.String(), Type.Null()]) });
export interface Page<T> {
  items: T[];
  next: string | null;
}

/** GET /api/health */
export const Health = Type.Object({ status: Type.Literal("pass") });
/** GET /api/version */
export const Version = Type.Object({ version: Type.String(), api: Type.Literal(1) });
export type Version = Static<typeof Version>;

/** The logged-in user, as seen by the server (GET /api/me). */
export const Me = Type.Object({ name: Type.String(), admin: Type.Boolean() });
export type Me = Static<typeof Me>;
