import { FlowgateError } from "../../graph/errors.ts";

/**
 * Base of the errors the gateway client throws. `address` is the gateway's; `status` is the HTTP
 * status when the gateway answered, else undefined.
 */
export class GatewayClientError extends FlowgateError {
  constructor(
    code: string,
    message: string,
    readonly address: string,
    readonly status: number | undefined,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

/** Thrown when no HTTP answer came back at all: wrong address, gateway stopped, DNS or TLS failure. */
export class GatewayUnreachableError extends GatewayClientError {
  constructor(address: string, reason: string, options?: ErrorOptions) {
    super(
      "FG_GATEWAY_UNREACHABLE",
      `could not reach the flowgate gateway at ${address}: ${reason}; is \`flowgate gateway\` running there?`,
      address,
      undefined,
      options,
    );
  }
}

/** Thrown when a request got no answer within its timeout (`fetchTimeout`, plus 20 s for long polls). */
export class GatewayTimeoutError extends GatewayClientError {
  constructor(address: string, what: string, timeoutMs: number, options?: ErrorOptions) {
    super(
      "FG_GATEWAY_TIMEOUT",
      `the flowgate gateway at ${address} did not answer "${what}" within ${timeoutMs} ms; ` +
        "check that it is not overloaded, or raise the Gateway's fetchTimeout",
      address,
      undefined,
      options,
    );
  }
}

/** Thrown on HTTP 401: the gateway did not accept the credentials (`who` names them). */
export class GatewayAuthenticationError extends GatewayClientError {
  constructor(
    address: string,
    readonly who: string,
    serverText: string,
  ) {
    super(
      "FG_GATEWAY_UNAUTHENTICATED",
      `the flowgate gateway at ${address} did not accept the credentials of ${who}: ${serverText}; ` +
        "check --user/--password/--token or FLOWGATE_GATEWAY_USER, FLOWGATE_GATEWAY_PASSWORD, FLOWGATE_GATEWAY_TOKEN",
      address,
      401,
    );
  }
}

/** Thrown on HTTP 403: the caller may not act on this cluster (only its owner or an admin may). */
export class GatewayPermissionError extends GatewayClientError {
  constructor(
    address: string,
    who: string,
    what: string,
    serverText: string,
    readonly clusterName?: string,
  ) {
    super(
      "FG_GATEWAY_FORBIDDEN",
      // A cluster action's refusal gets the general rule; a refusal that explains itself (e.g. no
      // Unix account for the user on a per-user local backend) is passed on as it is.
      clusterName === undefined && serverText.length > 0
        ? `${who} may not ${what}: ${serverText}`
        : `${who} may not ${what}: ${serverText}; only the cluster's owner or a gateway admin may`,
      address,
      403,
    );
  }
}

/** Thrown on HTTP 404 for a cluster the gateway does not know. */
export class UnknownClusterError extends GatewayClientError {
  constructor(
    address: string,
    readonly clusterName: string,
    serverText: string,
  ) {
    super(
      "FG_GATEWAY_CLUSTER_NOT_FOUND",
      `cluster "${clusterName}" was not found on the gateway at ${address} (${serverText}); ` +
        "list yours with `flowgate clusters list --status all`",
      address,
      404,
    );
  }
}

/** Thrown on HTTP 409: the cluster is not in a state that allows the request (e.g. not RUNNING). */
export class ClusterConflictError extends GatewayClientError {
  constructor(
    address: string,
    what: string,
    serverText: string,
    readonly clusterName?: string,
  ) {
    super(
      "FG_GATEWAY_CLUSTER_CONFLICT",
      `the gateway at ${address} refused to ${what}: ${serverText}` +
        (clusterName === undefined
          ? ""
          : `; check the cluster's status with \`flowgate clusters list --status all\``),
      address,
      409,
    );
  }
}

/** Thrown on HTTP 422 (and 400, 413): the gateway rejected the request's content; its text is kept. */
export class GatewayRequestRejectedError extends GatewayClientError {
  constructor(
    address: string,
    what: string,
    status: number,
    readonly serverText: string,
  ) {
    super(
      "FG_GATEWAY_REQUEST_REJECTED",
      `the gateway at ${address} rejected the request to ${what}: ${serverText}`,
      address,
      status,
    );
  }
}

/** Thrown on any other HTTP error status (5xx and unexpected ones). */
export class GatewayServerError extends GatewayClientError {
  constructor(address: string, what: string, status: number, serverText: string) {
    super(
      "FG_GATEWAY_SERVER_ERROR",
      `the gateway at ${address} failed to ${what} (HTTP ${status}): ${serverText}; see the gateway's log`,
      address,
      status,
    );
  }
}

/** Thrown when the answer is not what a flowgate gateway sends (HTML, bad JSON, wrong shape). */
export class GatewayProtocolError extends GatewayClientError {
  constructor(address: string, what: string, problem: string, status?: number) {
    super(
      "FG_GATEWAY_PROTOCOL",
      `unexpected answer to "${what}" from ${address}: ${problem}; is this the address of a flowgate gateway?`,
      address,
      status,
    );
  }
}

/**
 * Thrown while waiting for a cluster to start when it ends up FAILED, STOPPING or STOPPED instead.
 * Carries the gateway's `stopReason` and the tail of the cluster's log.
 */
export class ClusterFailedError extends GatewayClientError {
  constructor(
    address: string,
    readonly clusterName: string,
    readonly clusterStatus: string,
    readonly stopReason: string | null,
    readonly logTail: string,
  ) {
    const log = logTail.trim() ? `\n--- last lines of its log ---\n${logTail.trimEnd()}` : "";
    super(
      "FG_GATEWAY_CLUSTER_FAILED",
      `cluster "${clusterName}" did not start: it is ${clusterStatus}` +
        `${stopReason ? ` (${stopReason})` : ""}; ` +
        `see \`flowgate clusters logs ${clusterName}\` and fix its options or the backend${log}`,
      address,
      undefined,
    );
  }
}

/** Thrown when a cluster is still PENDING after `startTimeout`; a cluster this client created is stopped. */
export class ClusterStartTimeoutError extends GatewayClientError {
  constructor(
    address: string,
    readonly clusterName: string,
    timeoutMs: number,
    stopped: boolean,
  ) {
    super(
      "FG_GATEWAY_CLUSTER_START_TIMEOUT",
      `cluster "${clusterName}" was still PENDING after ${timeoutMs} ms` +
        `${stopped ? " and has been stopped" : ""}; raise startTimeout or check the gateway's backend`,
      address,
      undefined,
    );
  }
}

/** Thrown before any request for a bad argument: address, credentials, counts, options, names. */
export class InvalidGatewayArgumentError extends FlowgateError {
  constructor(message: string) {
    super("FG_GATEWAY_INVALID_ARGUMENT", message);
  }
}
