import { Type } from "@sinclair/typebox";

/**
 * A flow run's state. Scheduled → (Queued ⇄ Scheduled) → Submitted → Running → Success | Failed |
 * Crashed; Cancelling → Cancelled from Submitted/Running; Scheduled/Queued → Cancelled directly.
 * Queued = its start time came but a concurrency limit holds it (the run's `stateReason` says which).
 */
export const RunState = {
  Scheduled: "Scheduled",
  Queued: "Queued",
  Submitted: "Submitted",
  Running: "Running",
  Cancelling: "Cancelling",
  Success: "Success",
  Failed: "Failed",
  Cancelled: "Cancelled",
  Crashed: "Crashed",
} as const;
export type RunState = (typeof RunState)[keyof typeof RunState];

export const runStates = Object.values(RunState) as readonly RunState[];
/** States a run never leaves. */
export const finishedStates: readonly RunState[] = ["Success", "Failed", "Cancelled", "Crashed"];
/** States in which an agent holds the run (it counts against concurrency limits). */
export const activeStates: readonly RunState[] = ["Submitted", "Running", "Cancelling"];

export const RunStateSchema = Type.Union(runStates.map((s) => Type.Literal(s)));

/** A task run's state, as the flow runner reports it (src/graph/states.ts names). */
export const TaskState = Type.String({ minLength: 1, maxLength: 40, pattern: "^[A-Za-z]+$" });

export function isRunState(s: unknown): s is RunState {
  return typeof s === "string" && (runStates as readonly string[]).includes(s);
}
