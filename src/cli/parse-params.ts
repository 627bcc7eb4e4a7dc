import { UsageError } from "./usage-error.ts";

/** `["x=[1,2]", "name=\"a\""]` → `{ x: [1, 2], name: "a" }`; a bad entry is a UsageError. */
export function parseParams(entries: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    if (eq <= 0)
      throw new UsageError(
        `--param ${JSON.stringify(entry)} is not name=<json>; write e.g. --param x='[1,2,3]'`,
      );
    const name = entry.slice(0, eq);
    const text = entry.slice(eq + 1);
    try {
      out[name] = JSON.parse(text);
    } catch (e) {
      throw new UsageError(
        `--param ${name}: ${JSON.stringify(text)} is not valid JSON (${(e as Error).message}); quote strings, e.g. --param ${name}='"text"'`,
      );
    }
  }
  return out;
}
