export { GatewayEnvironment } from "./gateway-environment.ts";
export type { GatewayEnvironmentOptions, ClusterPlan } from "./gateway-environment-options.ts";
export { RemoteEnvironment } from "./remote-environment.ts";
export type { RemoteEnvironmentOptions } from "./remote-environment.ts";
export { LocalEnvironment } from "./local-environment.ts";
export type { LocalEnvironmentOptions } from "./local-environment.ts";
export { SecretAuth, secretVariable } from "./secret-auth.ts";
export {
  EnvironmentOptionsError,
  EnvironmentCallbackError,
  ClusterFailedError,
  SecretUnavailableError,
} from "./errors.ts";
