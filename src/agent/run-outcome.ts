import { FlowgateError } from "../graph/errors.ts";
import type { FlowRunResult } from "../flow/index.ts";
import { ClusterFailedError } from "../environments/errors.ts";

/** How a run ended, as the agent reports it to the server. */
export interface RunOutcome {
  readonly state: "Success" | "Failed" | "Cancelled" | "Crashed";
  readonly reason: string;
  readonly result?: unknown;
}

/** Why the agent stopped a run before it ended by itself. */
export type StopCause = "cancel" | "shutdown";

const SHUTDOWN_REASON =
  "the agent was stopped (SIGTERM) while the run was going on; it cancelled the run and stopped its cluster";

/** Codes of errors where the run's infrastructure, not its flow, failed. */
const INFRASTRUCTURE = new Set([
  "FG_CLUSTER_CONNECT",
  "FG_CLUSTER_SCHEDULER_LOST",
  "FG_CLUSTER_WORKER_LOST",
  "FG_CLUSTER_START",
  "FG_CLUSTER_FRAME",
  "FG_GATEWAY_UNREACHABLE",
  "FG_GATEWAY_TIMEOUT",
  "FG_GATEWAY_SERVER_ERROR",
  "FG_GATEWAY_CLUSTER_FAILED",
  "FG_GATEWAY_CLUSTER_NOT_FOUND",
]);

/** The outcome of a run that produced a result. */
export function outcomeOfResult(result: FlowRunResult<unknown>, stop?: StopCause): RunOutcome {
  const type = result.state.type;
  if (type === "Success")
    return { state: "Success", reason: result.state.message, result: jsonSafe(result.outputs) };
  if (type === "Cancelled" || stop !== undefined)
    return stop === "shutdown"
      ? { state: "Crashed", reason: SHUTDOWN_REASON }
      : {
          state: "Cancelled",
          reason: "cancelled on request; the flow and its cluster were stopped",
        };
  const failed = [...result.taskStates()]
    .filter(([, s]) => s.type === "Failed" || s.type === "TimedOut" || s.type === "TriggerFailed")
    .map(([name, s]) => (s.message ? `${name} (${s.message})` : name));
  return {
    state: "Failed",
    reason:
      failed.length > 0 ? `${result.state.message}: ${failed.join(", ")}` : result.state.message,
  };
}

/**
 * The outcome of a run whose execution threw: Crashed when its infrastructure failed (the
 * cluster, the scheduler connection, the gateway), else Failed (bad parameters, a flow that
 * does not load, an environment callback that threw).
 */
export function outcomeOfError(error: unknown, stop?: StopCause): RunOutcome {
  if (stop === "shutdown") return { state: "Crashed", reason: SHUTDOWN_REASON };
  if (stop === "cancel")
    return {
      state: "Cancelled",
      reason: "cancelled on request; the flow and its cluster were stopped",
    };
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ClusterFailedError)
    return {
      state: "Crashed",
      reason: `the run's cluster ${error.clusterName} failed: ${error.stopReason}`,
    };
  const code = error instanceof FlowgateError ? error.code : "";
  return INFRASTRUCTURE.has(code)
    ? { state: "Crashed", reason: message }
    : { state: "Failed", reason: message };
}

/** A value as JSON can carry it (undefined → null; what JSON cannot hold → its text). */
export function jsonSafe(value: unknown): unknown {
  if (value === undefined) return null;
  try {
    return JSON.parse(
      JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)) ?? "null",
    );
  } catch {
    return String(value);
  }
}
