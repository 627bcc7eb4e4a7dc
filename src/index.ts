/**
 * flowgate: TypeScript workflows where each flow run gets its own compute cluster.
 *
 * ```ts
 * import { task, Flow, Parameter } from "flowgate";
 * const timesTwo = task(function timesTwo(x: number) { return x * 2; });
 * const getSum = task(function getSum(xs: number[]) { return xs.reduce((a, b) => a + b, 0); });
 * export default new Flow("times-two", () => getSum(timesTwo.map(Parameter("x", { default: [1, 2, 3] }))));
 * ```
 */
export {
  task,
  setUpstream,
  setReferenceTasks,
  Parameter,
  Flow,
  FlowRunResult,
  unmapped,
  flatten,
  context,
  Image,
} from "./flow/index.ts";
export type {
  Task,
  TaskCall,
  CallOptions,
  TaskOptions,
  ParameterOptions,
  FlowOptions,
  FlowEnvironment,
  PreparedRun,
  ImageStorage,
  ScheduleClock,
  FlowRegisterOptions,
  FlowRegistration,
  FlowRunOptions,
  FlowState,
  RunPlacement,
  RunCost,
  TaskState,
  Ref,
  Unmapped,
  Flattened,
  Arg,
  MapArg,
  OutputValues,
  TaskContext,
  TaskLogger,
} from "./flow/index.ts";
export { formatLogRecord, StateType, TriggerName } from "./graph/index.ts";
export type { LogRecord, LogLevel } from "./graph/index.ts";
export {
  FlowDefinitionError,
  ParameterError,
  ResultLookupError,
  NoTaskContextError,
} from "./flow/errors.ts";
export { FlowgateError } from "./graph/errors.ts";
export { LocalExecutor, ClusterExecutor } from "./executors/index.ts";
export type {
  LocalExecutorOptions,
  Executor,
  ExecutionRequest,
  ExecutionResult,
  TaskRunUpdate,
} from "./executors/index.ts";
export { LocalCluster } from "./cluster/index.ts";
export type {
  LocalClusterOptions,
  LocalClusterScheduler,
  LocalClusterTransport,
  ClusterSecurity,
} from "./cluster/index.ts";
export {
  GatewayEnvironment,
  RemoteEnvironment,
  LocalEnvironment,
  SecretAuth,
} from "./environments/index.ts";
export type {
  GatewayEnvironmentOptions,
  ClusterPlan,
  RemoteEnvironmentOptions,
  LocalEnvironmentOptions,
} from "./environments/index.ts";
export {
  EnvironmentOptionsError,
  EnvironmentCallbackError,
  ClusterFailedError,
  SecretUnavailableError,
} from "./environments/errors.ts";
export { Gateway, GatewayCluster, BasicAuth, TokenAuth } from "./gateway/client/index.ts";
export type { GatewayAuth, GatewayOptions } from "./gateway/client/index.ts";
