/**
 * flowgate's cluster layer as other layers use it: LocalCluster, the client, the wire codec and
 * the errors. The scheduler and worker runtimes (which processes load on their own) are in
 * internal.ts, so that importing this file stays light.
 *
 * ```ts
 * import { LocalCluster } from "../cluster/index.ts";
 * import { ClusterExecutor } from "../executors/index.ts";
 * await using cluster = await LocalCluster({ workers: 2 });
 * const result = await flow.run({ executor: new ClusterExecutor(cluster) });
 * ```
 */
export { LocalCluster } from "./local/local-cluster.ts";
export type {
  LocalClusterOptions,
  LocalClusterScheduler,
  LocalClusterTransport,
} from "./local/local-cluster.ts";
export type { ClusterSecurity } from "./security.ts";
export { makeSelfSignedCredentials as makeClusterCredentials } from "../common/index.ts";
export { ClusterClient } from "./client/cluster-client.ts";
export type { RunMessage, RunListener, Submission } from "./client/cluster-client.ts";
export { TASK_RUN_FIELDS } from "./messages.ts";
export type { SchedulerToClient } from "./messages.ts";
export { encodeValue, decodeValue } from "./wire/codec.ts";
export { FrameParser } from "./wire/frame-parser.ts";
export { parseAddress } from "./wire/address.ts";
export { AdaptiveTarget } from "./scheduler/adaptive.ts";
export {
  WorkerLostError,
  SerializationError,
  BundleLoadError,
  ClusterConnectError,
  AddressError,
  SchedulerLostError,
  FrameError,
  ClusterStartError,
} from "./errors.ts";
