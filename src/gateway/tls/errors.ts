import { FlowgateError } from "../../graph/errors.ts";

/** Thrown by `makeClusterCredentials` for a cluster name that cannot go into a certificate. */
export class InvalidCredentialsNameError extends FlowgateError {
  constructor(readonly clusterName: unknown) {
    super(
      "FG_GATEWAY_TLS_INVALID_NAME",
      `cannot make TLS credentials for cluster name ${JSON.stringify(clusterName)}: ` +
        "it must be a non-empty string of at most 200 printable characters; pass the cluster's name",
    );
  }
}
