/**
 * The flowgate gateway server: a Dask-Gateway-compatible REST API that starts, scales, secures
 * and stops clusters through a backend.
 *
 * ```ts
 * import { startGateway } from "flowgate/src/gateway/server/index.ts";
 * const gw = await startGateway({ address: "127.0.0.1:8000", auth: { type: "simple" } });
 * console.log(gw.address);
 * await gw.close(); // stops every cluster, then the server
 * ```
 */
export { startGateway } from "./gateway-server.ts";
export type { RunningGateway } from "./gateway-server.ts";
export { resolveGatewayConfig, parseGatewayConfig } from "./gateway-options.ts";
export { gatewayConfigSchema } from "./gateway-config-schema.ts";
export type {
  BackendName,
  GatewayConfig,
  ResolvedGatewayConfig,
  AuthConfig,
  BasicUser,
  ClusterLimits,
  UserQuota,
  LocalBackendConfig,
  AuthLimits,
} from "./gateway-options.ts";
export type { OptionField, OptionSpec, ClusterConfig } from "./cluster-options.ts";
export { hashPassword, verifyPassword } from "./auth/index.ts";
export type { Backend, Checkpoint, LaunchEnv } from "./backends/backend.ts";
export { LocalBackend } from "./backends/local-backend.ts";
export type { ClusterStatus } from "./cluster-record.ts";
export {
  GatewayError,
  AuthRequiredError,
  ForbiddenError,
  ClusterNotFoundError,
  ClusterNotRunningError,
  SchedulerUnreachableError,
  InvalidRequestError,
  InvalidOptionError,
  QuotaExceededError,
  BodyTooLargeError,
  GatewayConfigError,
  BackendStartError,
  UnsupportedMediaTypeError,
  MethodNotAllowedError,
  TooManyAttemptsError,
} from "./errors.ts";
