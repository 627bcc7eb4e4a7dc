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
  formatLogRecord,
  FlowDefinitionError,
  ParameterError,
  ResultLookupError,
  NoTaskContextError,
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
export { StateType, TriggerName, FlowgateError } from "./graph/index.ts";
export type { LogRecord, LogLevel } from "./graph/index.ts";
export { LocalExecutor } from "./executors/local-executor.ts";
export type { LocalExecutorOptions } from "./executors/local-executor.ts";
export type { Executor, ExecutionRequest, ExecutionResult } from "./executors/executor.ts";
export { ClusterExecutor } from "./executors/cluster-executor.ts";
export { LocalCluster } from "./cluster/local/local-cluster.ts";
export type { LocalClusterOptions } from "./cluster/local/local-cluster.ts";
export type { ClusterSecurity } from "./cluster/security.ts";
export {
  GatewayEnvironment,
  RemoteEnvironment,
  LocalEnvironment,
  EnvironmentOptionsError,
  EnvironmentCallbackError,
  ClusterFailedError,
} from "./environments/index.ts";
export type {
  GatewayEnvironmentOptions,
  ClusterPlan,
  RemoteEnvironmentOptions,
  LocalEnvironmentOptions,
} from "./environments/index.ts";
export { Gateway, GatewayCluster, BasicAuth, TokenAuth } from "./gateway/client/index.ts";
export type { GatewayAuth, GatewayOptions } from "./gateway/client/index.ts";
