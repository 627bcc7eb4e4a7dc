/**
 * The gateway client: create, scale, watch and stop clusters on a flowgate gateway (or a Dask
 * Gateway v1 server). It never imports the gateway server.
 *
 * ```ts
 * import { Gateway, BasicAuth } from "flowgate/src/gateway/client/index.ts";
 * const gateway = new Gateway({ address: "http://127.0.0.1:8000", auth: new BasicAuth("ada") });
 * await using cluster = await gateway.newCluster({ clusterOptions: { worker_cores: 2 } });
 * await cluster.adapt({ minimum: 0, maximum: 10 });
 * console.log(cluster.schedulerAddress, cluster.dashboardLink);
 * ```
 */
export { Gateway } from "./gateway.ts";
export type { ClusterOptionSpec } from "./gateway.ts";
export { GatewayCluster } from "./gateway-cluster.ts";
export { BasicAuth, TokenAuth, authFromEnv } from "./auth.ts";
export type { GatewayAuth } from "./auth.ts";
export { ClusterStatus, isClusterStatus } from "./cluster-report.ts";
export type { ClusterReport, ClusterSecurity } from "./cluster-report.ts";
export { resolveGatewayOptions, normalizeGatewayAddress } from "./gateway-options.ts";
export type { GatewayOptions, ResolvedGatewayOptions } from "./gateway-options.ts";
export { resolveNewClusterOptions } from "./new-cluster-options.ts";
export type {
  NewClusterOptions,
  ConnectOptions,
  ResolvedNewClusterOptions,
} from "./new-cluster-options.ts";
export type { ScaleResult, AdaptOptions } from "./scale-result.ts";
export {
  GatewayClientError,
  GatewayUnreachableError,
  GatewayTimeoutError,
  GatewayAuthenticationError,
  GatewayPermissionError,
  UnknownClusterError,
  ClusterConflictError,
  GatewayRequestRejectedError,
  GatewayServerError,
  GatewayProtocolError,
  ClusterFailedError,
  ClusterStartTimeoutError,
  InvalidGatewayArgumentError,
} from "./errors.ts";
