import type { TriggerName } from "../graph/index.ts";
import { FlowDefinitionError } from "./errors.ts";

export interface TaskOptions {
  /** Stable key and display name. @default the function's name */
  readonly name?: string;
  /** @default 0 */
  readonly maxRetries?: number;
  /** ms between attempts. @default 0 */
  readonly retryDelay?: number;
  /** ms an attempt may take before it ends TimedOut; 0 = no limit. @default 0 */
  readonly timeout?: number;
  /** @default "allSuccessful" */
  readonly trigger?: TriggerName;
  /** @default true */
  readonly skipOnUpstreamSkip?: boolean;
  /** @default [] */
  readonly tags?: readonly string[];
}

export type ResolvedTaskOptions = Required<TaskOptions>;

const TRIGGERS = ["allSuccessful", "allFinished", "anyFailed", "anySuccessful"];

function nonNegative(name: string, field: string, value: number | undefined, integer: boolean) {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !(value >= 0) || (integer && !Number.isInteger(value)))
    throw new FlowDefinitionError(
      `task '${name}': ${field} must be a non-negative ${integer ? "integer" : "number"}, got ${JSON.stringify(value)}`,
    );
  return value;
}

/** Attempts are counted in a byte per mapped child (see GraphState), so 255 attempts at most. */
const MAX_RETRIES = 254;

function atMost(name: string, field: string, value: number, max: number) {
  if (value > max)
    throw new FlowDefinitionError(`task '${name}': ${field} must be at most ${max}, got ${value}`);
  return value;
}

/** Checks task options and fills in defaults; throws FlowDefinitionError naming the bad field. */
export function resolveTaskOptions(name: string, o: TaskOptions): ResolvedTaskOptions {
  const trigger = o.trigger ?? "allSuccessful";
  if (!TRIGGERS.includes(trigger))
    throw new FlowDefinitionError(
      `task '${name}': unknown trigger ${JSON.stringify(trigger)}; use one of ${TRIGGERS.join(", ")}`,
    );
  return {
    name,
    maxRetries: atMost(
      name,
      "maxRetries",
      nonNegative(name, "maxRetries", o.maxRetries, true),
      MAX_RETRIES,
    ),
    retryDelay: nonNegative(name, "retryDelay", o.retryDelay, false),
    timeout: nonNegative(name, "timeout", o.timeout, false),
    trigger,
    skipOnUpstreamSkip: o.skipOnUpstreamSkip ?? true,
    tags: o.tags ?? [],
  };
}
