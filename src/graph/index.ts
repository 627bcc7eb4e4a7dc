/**
 * The task-graph contract shared by the flow library, the executors and the cluster scheduler:
 * task specs (plain data), states, triggers and the pure state machine that runs a graph.
 */
export { StateType, STATE_CODES, isFinished, isSuccessful, isFailed } from "./states.ts";
export { TriggerName } from "./task-spec.ts";
export type { ArgSpec, EdgeMode, GraphSpec, TaskSpec } from "./task-spec.ts";
export { Measure } from "./commands.ts";
export type { ArgRef, GraphCommand, Outcome } from "./commands.ts";
export { GraphState } from "./graph-state.ts";
export type { FailureDetail } from "./node-run.ts";
export { FlowgateError, InvalidGraphError } from "./errors.ts";
export type { LogLevel, LogRecord } from "./log-record.ts";
export { formatLogRecord } from "./log-record.ts";
export type { Invocation, InvocationResult, TaskHost } from "./task-host.ts";
export { snapshotOf } from "./snapshot.ts";
export type { GraphSnapshot, NodeSnapshot } from "./snapshot.ts";
export { resolveArg, measureValue } from "./resolve-arg.ts";
export type { ResultLookup } from "./resolve-arg.ts";
export { progressOf } from "./progress.ts";
export type { TaskProgress } from "./progress.ts";
