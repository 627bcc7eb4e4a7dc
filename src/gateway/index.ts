/**
 * The gateway layer: the server (`startGateway`), its client (`Gateway`, `GatewayCluster`) and
 * per-cluster TLS credentials. Users who only talk to a gateway import the client part, which
 * never loads the server.
 *
 * ```ts
 * import { Gateway } from "flowgate/src/gateway/index.ts";
 * await using cluster = await new Gateway({ address: "http://127.0.0.1:8000" }).newCluster();
 * await cluster.scale(2);
 * ```
 */

// Client (owned by the client engineer): keep these lines; add the server's exports below.
export {
  Gateway,
  GatewayCluster,
  BasicAuth,
  TokenAuth,
  authFromEnv,
  ClusterStatus,
  isClusterStatus,
  resolveGatewayOptions,
  normalizeGatewayAddress,
  resolveNewClusterOptions,
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
} from "./client/index.ts";
export type {
  ClusterOptionSpec,
  GatewayAuth,
  ClusterReport,
  ClusterSecurity,
  GatewayOptions,
  ResolvedGatewayOptions,
  NewClusterOptions,
  ConnectOptions,
  ResolvedNewClusterOptions,
  ScaleResult,
  AdaptOptions,
} from "./client/index.ts";

// Per-cluster TLS (client engineer).
export { makeClusterCredentials, InvalidCredentialsNameError } from "./tls/index.ts";
export type { ClusterCredentials } from "./tls/index.ts";

// Server (gateway server engineer): add startGateway and its types here.
export { startGateway, hashPassword, GatewayError, GatewayConfigError } from "./server/index.ts";
export type {
  RunningGateway,
  GatewayConfig,
  AuthConfig,
  BasicUser,
  ClusterLimits,
  UserQuota,
  LocalBackendConfig,
  OptionField,
  OptionSpec,
  ClusterConfig,
} from "./server/index.ts";
