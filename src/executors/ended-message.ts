import type { StateType } from "../graph/states.ts";

/** The log line for a task run that ended in a state other than Success. */
export function endedMessage(state: StateType, message: string): string {
  return `Finished task run with final state: '${state}'${message ? `: ${message}` : ""}`;
}
