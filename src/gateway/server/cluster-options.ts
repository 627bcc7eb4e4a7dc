import { InvalidOptionError, InvalidRequestError } from "./errors.ts";

/** The kinds of option a gateway can offer. On the wire `integer` is spelled `int`, as in Dask Gateway. */
export type OptionSpec =
  | { type: "string"; pattern?: string }
  | { type: "bool" }
  | { type: "integer" | "int"; min?: number; max?: number }
  | { type: "float"; min?: number; max?: number }
  | { type: "select"; options: string[] }
  | { type: "mapping" };

/** One typed cluster option declared in the gateway config. */
export interface OptionField {
  field: string;
  label?: string;
  default: unknown;
  spec: OptionSpec;
  /** Cluster config key the value sets. @default the field name */
  target?: keyof ClusterConfig;
}

/** What a cluster is started with, after options are applied. */
export interface ClusterConfig {
  worker_cores: number;
  /** GiB */
  worker_memory: number;
  scheduler_cores: number;
  /** GiB */
  scheduler_memory: number;
  environment: Record<string, string>;
  image: string | null;
}

/** The options offered when the config declares none. */
export function defaultOptionFields(): OptionField[] {
  return [
    {
      field: "worker_cores",
      label: "Worker cores",
      default: 1,
      spec: { type: "integer", min: 1, max: 16 },
    },
    {
      field: "worker_memory",
      label: "Worker memory (GiB)",
      default: 2,
      spec: { type: "float", min: 0.25, max: 64 },
    },
    {
      field: "environment",
      label: "Environment variables",
      default: {},
      spec: { type: "mapping" },
    },
    { field: "image", label: "Image", default: "", spec: { type: "string" } },
  ];
}

/** The `GET /api/v1/options` body. */
export function optionsSpecBody(fields: OptionField[]): { cluster_options: unknown[] } {
  return {
    cluster_options: fields.map((f) => ({
      field: f.field,
      label: f.label ?? f.field,
      default: f.default,
      spec: f.spec.type === "integer" ? { ...f.spec, type: "int" } : f.spec,
    })),
  };
}

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

function describe(f: OptionField): string {
  const s = f.spec;
  switch (s.type) {
    case "integer":
    case "int":
    case "float": {
      const kind = s.type === "float" ? "a number" : "an integer";
      const range =
        s.min !== undefined && s.max !== undefined
          ? ` from ${s.min} to ${s.max}`
          : s.min !== undefined
            ? ` >= ${s.min}`
            : s.max !== undefined
              ? ` <= ${s.max}`
              : "";
      return kind + range;
    }
    case "bool":
      return "true or false";
    case "string":
      return s.pattern ? `a string matching /${s.pattern}/` : "a string";
    case "select":
      return `one of ${s.options.map((o) => JSON.stringify(o)).join(", ")}`;
    case "mapping":
      return "an object of environment-variable names to strings";
  }
}

function check(f: OptionField, v: unknown): unknown {
  const s = f.spec;
  const bad = () =>
    new InvalidOptionError(
      f.field,
      `Invalid value for option ${JSON.stringify(f.field)}: got ${JSON.stringify(v)}, allowed is ${describe(f)}`,
    );
  switch (s.type) {
    case "integer":
    case "int":
    case "float":
      if (typeof v !== "number" || !Number.isFinite(v)) throw bad();
      if (s.type !== "float" && !Number.isInteger(v)) throw bad();
      if ((s.min !== undefined && v < s.min) || (s.max !== undefined && v > s.max)) throw bad();
      return v;
    case "bool":
      if (typeof v !== "boolean") throw bad();
      return v;
    case "string":
      if (typeof v !== "string" || v.length > 4096) throw bad();
      if (s.pattern && !new RegExp(`^(?:${s.pattern})$`).test(v)) throw bad();
      return v;
    case "select":
      if (typeof v !== "string" || !s.options.includes(v)) throw bad();
      return v;
    case "mapping": {
      if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad();
      for (const [k, val] of Object.entries(v)) {
        if (!envName.test(k) || typeof val !== "string") {
          throw new InvalidOptionError(
            f.field,
            `Invalid entry ${JSON.stringify(k)}: ${JSON.stringify(val)} in option ${JSON.stringify(f.field)}; allowed is ${describe(f)}`,
          );
        }
      }
      return { ...(v as Record<string, string>) };
    }
  }
}

/**
 * Validates requested options against the declared fields: unknown fields and bad values throw
 * InvalidOptionError (422) naming the field and what is allowed. Returns the normalised options
 * (every field, defaults filled in) and the cluster config they produce.
 */
export function applyClusterOptions(
  fields: OptionField[],
  requested: unknown,
): { options: Record<string, unknown>; config: ClusterConfig } {
  if (requested === undefined || requested === null) requested = {};
  if (typeof requested !== "object" || Array.isArray(requested)) {
    throw new InvalidRequestError(
      `"cluster_options" must be an object, got ${JSON.stringify(requested)}`,
    );
  }
  const req = requested as Record<string, unknown>;
  const known = new Set(fields.map((f) => f.field));
  for (const k of Object.keys(req)) {
    if (!known.has(k)) {
      const allowed = fields.length
        ? fields.map((f) => JSON.stringify(f.field)).join(", ")
        : "none";
      throw new InvalidOptionError(
        k,
        `Unknown option ${JSON.stringify(k)}; allowed options are ${allowed}`,
      );
    }
  }
  const options: Record<string, unknown> = {};
  const config: ClusterConfig = {
    worker_cores: 1,
    worker_memory: 2,
    scheduler_cores: 1,
    scheduler_memory: 1,
    environment: {},
    image: null,
  };
  for (const f of fields) {
    const v = k(req, f.field) ? check(f, req[f.field]) : f.default;
    options[f.field] = v;
    const target = f.target ?? (f.field as keyof ClusterConfig);
    if (target in config) {
      if (target === "image") config.image = typeof v === "string" && v !== "" ? v : null;
      else (config as unknown as Record<string, unknown>)[target] = v;
    }
  }
  return { options, config };
}

function k(o: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key) && o[key] !== undefined;
}
