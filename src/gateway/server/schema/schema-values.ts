import { z } from "zod";
import { nearestName, parseDuration, parseSize } from "./units.ts";

/** A value as quoted in a message: JSON, cut short; "nothing" for a missing one. */
export function show(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

const must = (what: string) => (iss: { input?: unknown }) =>
  iss.input === undefined ? `is required: ${what}` : `must be ${what}, got ${show(iss.input)}`;

/**
 * An object that rejects unknown keys, naming the key and the nearest known one
 * (`unknown key "adress", did you mean "address"?`).
 */
export function strictObject<S extends z.ZodRawShape>(shape: S, what = "an object") {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === "unrecognized_keys") {
        const parts = iss.keys.map((key) => {
          const near = nearestName(key, known);
          return `${JSON.stringify(key)}${near ? `, did you mean ${JSON.stringify(near)}?` : ""}`;
        });
        const hint = iss.keys.some((k) => nearestName(k, known))
          ? ""
          : `; known keys are ${known.join(", ")}`;
        return `unknown key ${parts.join("; unknown key ")}${hint}`;
      }
      return must(what)(iss);
    },
  });
}

/** A string of at most `max` characters. */
export const str = (max = 4096) =>
  z.string({ error: must("a string") }).max(max, { error: must(`at most ${max} characters`) });

/** true or false. */
export const bool = () => z.boolean({ error: must("true or false") });

/** An integer in [min, max]. */
export const int = (min: number, max = Number.MAX_SAFE_INTEGER) => {
  const what = `an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : " up"}`;
  return z
    .number({ error: must(what) })
    .int({ error: must(what) })
    .min(min, { error: must(what) })
    .max(max, { error: must(what) });
};

/** A finite number > 0 (`positive`) or >= 0. */
export const num = (positive: boolean) => {
  const what = positive ? "a number > 0" : "a number >= 0";
  const n = z.number({ error: must(what) });
  return positive ? n.positive({ error: must(what) }) : n.min(0, { error: must(what) });
};

/** A list of strings. */
export const strings = () => z.array(str(), { error: must("a list of strings") });
/** An object of names to strings (labels, environment variables). */
export const stringMap = () =>
  z.record(str(256), str(), { error: must("an object of names to strings") });

/** One of the given strings. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: must(`one of ${values.map((v) => JSON.stringify(v)).join(", ")}`) });

/**
 * A duration in milliseconds: a number of milliseconds, or a string such as "30m", "10s",
 * "1h30m", "250ms". `positive` rejects 0.
 */
export function duration(positive = false) {
  const what = `a duration such as "10s", "30m" or a number of milliseconds${positive ? " > 0" : " (0 or more)"}`;
  return z
    .custom<number | string>(() => true)
    .transform((v, ctx) => {
      const ms = typeof v === "string" ? parseDuration(v) : typeof v === "number" ? v : undefined;
      if (ms === undefined || !Number.isFinite(ms) || ms < 0 || (positive && ms === 0)) {
        ctx.issues.push({ code: "custom", input: v, message: must(what)({ input: v }) });
        return z.NEVER;
      }
      return Math.round(ms);
    });
}

/**
 * A size: a number in `unit`s (bytes, or GiB for memory), or a string such as "4 GiB",
 * "512 MiB", "1.5 GB". Returned in `unit`s.
 */
export function size(unit: "bytes" | "GiB") {
  const per = unit === "bytes" ? 1 : 2 ** 30;
  const what = `a size such as "4 GiB", "512 MiB" or a number of ${unit} > 0`;
  return z
    .custom<number | string>(() => true)
    .transform((v, ctx) => {
      const bytes =
        typeof v === "string" ? parseSize(v) : typeof v === "number" ? v * per : undefined;
      if (bytes === undefined || !Number.isFinite(bytes) || bytes <= 0) {
        ctx.issues.push({ code: "custom", input: v, message: must(what)({ input: v }) });
        return z.NEVER;
      }
      return unit === "bytes" ? Math.round(bytes) : bytes / per;
    });
}

/** host:port, as Dask Gateway's `address`. */
export const hostPort = () =>
  str(300).regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:/]*):\d{1,5}$/, {
    error: must('host:port, e.g. "0.0.0.0:8000" or "127.0.0.1:0"'),
  });
