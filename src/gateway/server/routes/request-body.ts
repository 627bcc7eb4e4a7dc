import { InvalidRequestError } from "../errors.ts";

/** The JSON body as an object; anything else (array, string, null) is a 422. */
export function bodyObject(body: unknown, allowed: string[]): Record<string, unknown> {
  if (body === undefined || body === null || body === "") return {};
  if (typeof body !== "object" || Array.isArray(body)) {
    throw new InvalidRequestError(
      `Request body must be a JSON object, got ${JSON.stringify(body).slice(0, 100)}`,
    );
  }
  for (const k of Object.keys(body)) {
    if (!allowed.includes(k)) {
      throw new InvalidRequestError(
        `Unknown key ${JSON.stringify(k)} in request body; allowed keys are ${allowed.map((a) => JSON.stringify(a)).join(", ")}`,
      );
    }
  }
  return body as Record<string, unknown>;
}

/** A non-negative integer field (or null/absent when `nullable`). */
export function countField(
  o: Record<string, unknown>,
  key: string,
  nullable: boolean,
): number | null {
  const v = o[key];
  if ((v === undefined || v === null) && nullable) return null;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 1_000_000) {
    throw new InvalidRequestError(
      `${JSON.stringify(key)} must be a non-negative integer${nullable ? " or null" : ""}, got ${JSON.stringify(v) ?? "nothing"}`,
    );
  }
  return v;
}

export function boolField(o: Record<string, unknown>, key: string, dflt: boolean): boolean {
  const v = o[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "boolean")
    throw new InvalidRequestError(
      `${JSON.stringify(key)} must be true or false, got ${JSON.stringify(v)}`,
    );
  return v;
}

export function stringField(o: Record<string, unknown>, key: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string" || v.length > 2048)
    throw new InvalidRequestError(
      `${JSON.stringify(key)} must be a string, got ${JSON.stringify(v).slice(0, 100)}`,
    );
  return v;
}

export function stringList(o: Record<string, unknown>, key: string): string[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string"))
    throw new InvalidRequestError(`${JSON.stringify(key)} must be a list of strings`);
  return v as string[];
}
