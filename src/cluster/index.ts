/**
 * flowgate's cluster runtime: scheduler, workers, the wire protocol and LocalCluster.
 *
 * ```ts
 * import { LocalCluster } from "flowgate/src/cluster/index.ts";
 * import { ClusterExecutor } from "flowgate/src/executors/cluster-executor.ts";
 * await using cluster = await LocalCluster({ workers: 2 });
 * const result = await flow.run({ executor: new ClusterExecutor(cluster) });
 * ```
 */
export { LocalCluster } from "./local/local-cluster.ts";
export type { LocalClusterOptions } from "./local/local-cluster.ts";
export type { ClusterSecurity } from "./security.ts";
export { makeSelfSignedCredentials as makeClusterCredentials } from "../common/tls/self-signed-credentials.ts";
export { SchedulerServer } from "./scheduler/scheduler-server.ts";
export type { SchedulerOptions } from "./scheduler/scheduler-server.ts";
export { SchedulerState } from "./scheduler/scheduler-state.ts";
export { ClusterWorker } from "./worker/worker.ts";
export type { WorkerOptions } from "./worker/worker.ts";
export { runSchedulerProcess } from "./process/scheduler-process.ts";
export { runWorkerProcess } from "./process/worker-process.ts";
export { runClusterProcess } from "./process/cluster-process.ts";
export { ClusterClient } from "./client/cluster-client.ts";
export { encodeValue, decodeValue } from "./wire/codec.ts";
export { FrameParser } from "./wire/frame-parser.ts";
export { parseAddress } from "./wire/address.ts";
export { AdaptiveTarget } from "./scheduler/adaptive.ts";
export {
  WorkerLostError,
  SerializationError,
  BundleLoadError,
  BundleBuildError,
  ClusterConnectError,
  AddressError,
  SchedulerLostError,
  FrameError,
  ClusterStartError,
} from "./errors.ts";
