import { readFileSync } from "node:fs";
import { ParamError } from "./errors.ts";

/**
 * A command-line value: JSON when it parses as JSON (numbers, booleans, null, arrays, objects,
 * quoted strings), else the text itself — as Prefect's `--param` and `clusters create --option` do.
 */
export function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** Reads `--param-file`: a JSON object of parameter values by name. */
export function readParamFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ParamError(
      `--param-file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass the path of a JSON file`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ParamError(
      `--param-file ${file} is not valid JSON (${(e as Error).message}); write an object such as {"x": [1, 2, 3]}`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ParamError(
      `--param-file ${file} holds ${Array.isArray(value) ? "an array" : JSON.stringify(value)}, not an object of parameters by name; write e.g. {"x": [1, 2, 3]}`,
    );
  return value as Record<string, unknown>;
}

/**
 * The run's parameters: those of `--param-file` (if any), then each `--param name=value` on top.
 * `["x=[1,2]", "name=alice"]` → `{ x: [1, 2], name: "alice" }`.
 */
export function parseParams(entries: readonly string[], file?: string): Record<string, unknown> {
  const out: Record<string, unknown> = file === undefined ? {} : readParamFile(file);
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    if (eq <= 0)
      throw new ParamError(
        `--param ${JSON.stringify(entry)} is not name=value; write e.g. --param x='[1,2,3]' or --param name=alice`,
      );
    out[entry.slice(0, eq)] = parseValue(entry.slice(eq + 1));
  }
  return out;
}
