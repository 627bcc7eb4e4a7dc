import type { StateType } from "../graph/index.ts";

/** The log line for a task run that ended in a state other than Success. */
export function endedMessage(state: StateType, message: string): string {
  return `Finished task run with final state: '${state}'${message ? `: ${message}` : ""}`;
}

/** The warning logged when a failed task run will be retried (the same text on every executor). */
export function retryMessage(delay: number, failure: string): string {
  return `Task run failed, retrying in ${delay} ms: ${failure}`;
}
