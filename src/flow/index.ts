export { task, setUpstream, setReferenceTasks } from "./task.ts";
export type { Task, TaskCall, CallOptions } from "./task.ts";
export type { TaskOptions } from "./task-options.ts";
export { Parameter } from "./parameter.ts";
export type { ParameterOptions } from "./parameter.ts";
export { Flow, waitForFlow, lastConstructedFlow } from "./flow.ts";
export { resolveParameters } from "./resolve-parameters.ts";
export type { FlowOptions } from "./flow.ts";
export type {
  FlowEnvironment,
  PreparedRun,
  FlowRunOptions,
  RunnableFlow,
} from "./flow-environment.ts";
export { Image } from "./flow-registration.ts";
export type {
  ImageStorage,
  ScheduleClock,
  FlowRegisterOptions,
  FlowRegistration,
} from "./flow-registration.ts";
export { FlowRunResult } from "./flow-run-result.ts";
export type { FlowState, RunPlacement, RunCost } from "./flow-run-result.ts";
export type { TaskState } from "./task-state.ts";
export { unmapped, flatten } from "./ref.ts";
export type { Ref, Unmapped, Flattened, Arg, MapArg, OutputValues } from "./ref.ts";
export { context } from "./context.ts";
export type { TaskContext } from "./context.ts";
export { formatLogRecord, logPrinter } from "./logging.ts";
export type { TaskLogger } from "./logging.ts";
export { FlowTaskHost } from "./task-host.ts";
export { enterWorkerMode, inWorkerMode, importFlowFile } from "../shipping/index.ts";
export {
  FlowDefinitionError,
  ParameterError,
  ResultLookupError,
  NoTaskContextError,
} from "./errors.ts";
