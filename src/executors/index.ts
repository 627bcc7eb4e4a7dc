/**
 * Executors run a flow's task graph: in this process ({@link LocalExecutor}) or on a cluster's
 * workers ({@link ClusterExecutor}). Environments pick one per run; flows call `execute()`.
 *
 * ```ts
 * import { LocalExecutor } from "../executors/index.ts";
 * const executor = new LocalExecutor({ concurrency: 4 });
 * const result = await executor.execute(request);
 * await executor.close();
 * ```
 */
export { LocalExecutor } from "./local-executor.ts";
export type { LocalExecutorOptions } from "./local-executor.ts";
export { ClusterExecutor } from "./cluster-executor.ts";
export type { ClusterExecutorOptions } from "./cluster-executor.ts";
export type { Executor, ExecutionRequest, ExecutionResult } from "./executor.ts";
export type { TaskRunUpdate } from "./task-run-update.ts";
export { TaskRunBatcher, type TaskRunChange } from "./task-run-batcher.ts";
export { ExecutorOptionsError, TaskNotDefinedError } from "./errors.ts";
