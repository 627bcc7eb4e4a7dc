/**
 * Per-cluster TLS credentials for the gateway (one self-signed certificate that is its own CA;
 * made by src/common/tls, named and checked here).
 *
 * ```ts
 * import { makeClusterCredentials } from "flowgate/src/gateway/tls/index.ts";
 * const { tlsCert, tlsKey } = await makeClusterCredentials("4295dd57b8d8");
 * ```
 */
export { makeClusterCredentials } from "./cluster-credentials.ts";
export type { ClusterCredentials } from "./cluster-credentials.ts";
export { InvalidCredentialsNameError } from "./errors.ts";
