import type { RunState } from "../api/index.ts";

/**
 * The allowed run state changes, as a table: for each target state, the states a run may come
 * from. Everything else is refused (409). Finished states (Success, Failed, Cancelled, Crashed)
 * are never left.
 */
export const allowedFrom: Readonly<Record<RunState, readonly RunState[]>> = {
  Scheduled: ["Queued"],
  Queued: ["Scheduled", "Queued"],
  Submitted: ["Scheduled", "Queued"],
  Running: ["Submitted"],
  Cancelling: ["Submitted", "Running"],
  Success: ["Submitted", "Running", "Cancelling"],
  Failed: ["Submitted", "Running", "Cancelling"],
  Cancelled: ["Scheduled", "Queued", "Submitted", "Running", "Cancelling"],
  Crashed: ["Submitted", "Running", "Cancelling"],
};

/** States an agent reports for a run it holds (POST /api/runs/{id}/state). */
export const agentReportable: readonly RunState[] = [
  "Running",
  "Success",
  "Failed",
  "Cancelled",
  "Crashed",
];

/** Whether `from` → `to` is in the table. */
export function canTransition(from: RunState, to: RunState): boolean {
  return allowedFrom[to].includes(from);
}
