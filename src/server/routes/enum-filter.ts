import { InvalidRequestError } from "../errors.ts";

/**
 * Reads a comma-separated filter whose values come from a fixed set (`?state=Running,Queued`).
 * Throws InvalidRequestError (422) naming the first unknown value and the valid ones, so that a
 * typo is an error rather than an empty list. Undefined when the filter is absent or empty.
 */
export function enumFilter<T extends string>(
  param: string,
  value: string | undefined,
  valid: readonly T[],
): T[] | undefined {
  if (value === undefined) return undefined;
  const values = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (values.length === 0) return undefined;
  for (const v of values)
    if (!(valid as readonly string[]).includes(v))
      throw new InvalidRequestError(
        `${param} ${JSON.stringify(v)} is not one of ${valid.join(", ")}; ` +
          `pass one of them (several comma-separated, e.g. ${param}=${valid.slice(0, 2).join(",")})`,
      );
  return values as T[];
}
