/** Every state a task run (or a flow run) can be in, as Prefect 1 names them. */
export const StateType = {
  Pending: "Pending",
  Running: "Running",
  Retrying: "Retrying",
  Success: "Success",
  Mapped: "Mapped",
  Skipped: "Skipped",
  Failed: "Failed",
  TriggerFailed: "TriggerFailed",
  TimedOut: "TimedOut",
  Cancelled: "Cancelled",
} as const;
export type StateType = (typeof StateType)[keyof typeof StateType];

/** States packed into a byte, so that a 1,000,000-child map keeps one byte per child. */
export const STATE_CODES: readonly StateType[] = [
  "Pending",
  "Running",
  "Retrying",
  "Success",
  "Mapped",
  "Skipped",
  "Failed",
  "TriggerFailed",
  "TimedOut",
  "Cancelled",
];
export const stateCode = Object.fromEntries(STATE_CODES.map((s, i) => [s, i])) as Record<
  StateType,
  number
>;

export function isFinished(type: StateType): boolean {
  return type !== "Pending" && type !== "Running" && type !== "Retrying";
}

/** Success, Mapped and Skipped count as successful, as in Prefect. */
export function isSuccessful(type: StateType): boolean {
  return type === "Success" || type === "Mapped" || type === "Skipped";
}

export function isFailed(type: StateType): boolean {
  return (
    type === "Failed" || type === "TriggerFailed" || type === "TimedOut" || type === "Cancelled"
  );
}
