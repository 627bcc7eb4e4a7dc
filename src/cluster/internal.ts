/**
 * The cluster's runtimes, for the CLI's `scheduler`/`worker` commands and tests: the scheduler
 * and worker servers and the process entries. Heavier than index.ts, and not part of flowgate's
 * public API.
 */
export { SchedulerServer } from "./scheduler/scheduler-server.ts";
export type { SchedulerOptions } from "./scheduler/scheduler-server.ts";
export { SchedulerState } from "./scheduler/scheduler-state.ts";
export { ClusterWorker } from "./worker/worker.ts";
export type { WorkerOptions } from "./worker/worker.ts";
export { runSchedulerProcess } from "./process/scheduler-process.ts";
export { runWorkerProcess } from "./process/worker-process.ts";
export { runClusterProcess } from "./process/cluster-process.ts";
export type { Message } from "./wire/connection.ts";
