import { z } from "zod";
import { InvalidRequestError } from "../errors.ts";
import { describeIssues } from "../schema/schema-errors.ts";
import { bool, int, str, strings, strictObject } from "../schema/schema-values.ts";

const count = () => int(0, 1_000_000);
const WEEK_S = 7 * 86_400;

/**
 * The request bodies of the REST API, validated with the same schema library and messages as
 * the gateway config: unknown keys are 422 naming the nearest known key.
 */
export const requestSchemas = {
  /** POST /api/v1/clusters/ (cluster_options are checked against the declared fields later). */
  create: strictObject({
    cluster_options: z.unknown().optional(),
    shutdown_on_close: bool().nullable().optional(),
    lease_ttl: z
      .number({ error: "must be a number of seconds > 0 (at most a week)" })
      .positive({ error: "must be a number of seconds > 0 (at most a week)" })
      .max(WEEK_S, { error: "must be a number of seconds > 0 (at most a week)" })
      .nullable()
      .optional(),
  }),
  /** POST /api/v1/clusters/{name}/scale */
  scale: strictObject({ count: count() }),
  /** POST /api/v1/clusters/{name}/adapt */
  adapt: strictObject({
    minimum: count().nullable().optional(),
    maximum: count().nullable().optional(),
    active: bool().nullable().optional(),
  }),
  /** POST /api/v1/clusters/{name}/heartbeat (CONTRACTS.md) */
  heartbeat: strictObject({
    scheduler_address: str(2048).nullable().optional(),
    dashboard_address: str(2048).nullable().optional(),
    api_address: str(2048).nullable().optional(),
    count: count().nullable().optional(),
    active_workers: strings().nullable().optional(),
    closing_workers: strings().nullable().optional(),
    closed_workers: strings().nullable().optional(),
    busy: bool().optional(),
  }),
};

/**
 * Parses a JSON request body with a schema; a missing or empty body is `{}`. Throws
 * InvalidRequestError (422) with one line naming the key.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const value = body === undefined || body === null || body === "" ? {} : body;
  if (typeof value !== "object" || Array.isArray(value))
    throw new InvalidRequestError(
      `Request body must be a JSON object, got ${JSON.stringify(value).slice(0, 100)}`,
    );
  const r = schema.safeParse(value);
  if (!r.success) throw new InvalidRequestError(`Invalid request body: ${describeIssues(r.error)}`);
  return r.data;
}

/** Every value of a query parameter: repeated (`?a=1&a=2`) and comma-separated (`?a=1,2`). */
export function queryValues(v: unknown): string[] {
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return list
    .flatMap((s) => String(s).split(","))
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** A boolean query flag: present without a value, "true" or "1" is true; "false" or "0" false. */
export function queryFlag(v: unknown, name: string): boolean {
  if (v === undefined) return false;
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  const s = String(last).toLowerCase();
  if (s === "" || s === "true" || s === "1") return true;
  if (s === "false" || s === "0") return false;
  throw new InvalidRequestError(
    `Query parameter "${name}" must be true or false, got ${JSON.stringify(last)}`,
  );
}
