import { InvalidGatewayArgumentError } from "./errors.ts";

/** The gateway's answer to scale/adapt: ok false with a message when it clamped the request. */
export interface ScaleResult {
  readonly ok: boolean;
  readonly msg: string | null;
}

/** Bounds for adaptive scaling. */
export interface AdaptOptions {
  /** Fewest workers. @default 0 */
  readonly minimum?: number;
  /** Most workers. @default none (sent as null): the gateway's per-cluster limit */
  readonly maximum?: number;
  /** false turns adaptive scaling off. @default true */
  readonly active?: boolean;
}

/** Parses a scale/adapt answer; a gateway that sends none (or another shape) counts as ok. */
export function toScaleResult(body: unknown): ScaleResult {
  const b = body as Record<string, unknown> | null;
  if (typeof b !== "object" || b === null) return { ok: true, msg: null };
  return { ok: b["ok"] !== false, msg: typeof b["msg"] === "string" ? b["msg"] : null };
}

/** The JSON body of POST …/scale; throws InvalidGatewayArgumentError for a bad count. */
export function scaleBody(name: string, count: number): { count: number } {
  if (!Number.isSafeInteger(count) || count < 0)
    throw new InvalidGatewayArgumentError(
      `cannot scale cluster "${name}" to ${String(count)} workers: the count must be a whole number ≥ 0; pass e.g. 2`,
    );
  return { count };
}

/** The JSON body of POST …/adapt; throws InvalidGatewayArgumentError for bad bounds. */
export function adaptBody(
  name: string,
  options: AdaptOptions,
): { minimum: number | null; maximum: number | null; active: boolean } {
  const active = options.active ?? true;
  if (!active) return { minimum: null, maximum: null, active: false };
  const minimum = options.minimum ?? 0;
  const maximum = options.maximum ?? null;
  const bad = (v: number | null) => v !== null && (!Number.isSafeInteger(v) || v < 0);
  if (bad(minimum) || bad(maximum) || (maximum !== null && minimum > maximum))
    throw new InvalidGatewayArgumentError(
      `cannot adapt cluster "${name}" between ${String(minimum)} and ${String(maximum)} workers: ` +
        "both must be whole numbers ≥ 0 with minimum ≤ maximum; pass e.g. { minimum: 0, maximum: 10 }",
    );
  return { minimum, maximum, active };
}
