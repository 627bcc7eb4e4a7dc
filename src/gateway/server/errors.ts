import { FlowgateError } from "../../graph/errors.ts";

/**
 * Base of every error the gateway server reports to a caller. `status` is the HTTP status the
 * REST layer answers with; the body is `{"error": message}` as Dask Gateway does.
 */
export class GatewayError extends FlowgateError {
  constructor(
    code: string,
    readonly status: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

/** Thrown when a request carries no credentials or wrong ones. */
export class AuthRequiredError extends GatewayError {
  constructor(message = "Authentication required") {
    super("FG_GATEWAY_AUTH_REQUIRED", 401, message);
  }
}

/** Thrown when a user touches a cluster that belongs to another user. */
export class ForbiddenError extends GatewayError {
  constructor(
    readonly clusterName: string,
    user: string,
  ) {
    super(
      "FG_GATEWAY_FORBIDDEN",
      403,
      `User ${JSON.stringify(user)} is not allowed to access cluster ${clusterName}`,
    );
  }
}

/** Thrown when a cluster name is unknown (or not a valid cluster name at all). */
export class ClusterNotFoundError extends GatewayError {
  constructor(readonly clusterName: string) {
    super("FG_GATEWAY_CLUSTER_NOT_FOUND", 404, `Cluster ${clusterName} not found`);
  }
}

/** Thrown when an operation needs a RUNNING cluster (scale, adapt, tunnel) and it is not. */
export class ClusterNotRunningError extends GatewayError {
  constructor(
    readonly clusterName: string,
    status: string,
  ) {
    super(
      "FG_GATEWAY_CLUSTER_NOT_RUNNING",
      409,
      `Cluster ${clusterName} is ${status}, not RUNNING; create a new cluster`,
    );
  }
}

/** Thrown when the scheduler's /api/comm cannot be reached after retries. */
export class SchedulerUnreachableError extends GatewayError {
  constructor(
    readonly clusterName: string,
    options?: ErrorOptions,
  ) {
    super(
      "FG_GATEWAY_SCHEDULER_UNREACHABLE",
      409,
      `The scheduler of cluster ${clusterName} did not answer; try again or stop the cluster`,
      options,
    );
  }
}

/** Thrown when a request body or query is malformed: bad JSON, wrong types, negative counts. */
export class InvalidRequestError extends GatewayError {
  constructor(message: string) {
    super("FG_GATEWAY_INVALID_REQUEST", 422, message);
  }
}

/** Thrown when a cluster option is unknown or its value is outside what the gateway allows. */
export class InvalidOptionError extends GatewayError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super("FG_GATEWAY_INVALID_OPTION", 422, message);
  }
}

/** Thrown when creating a cluster would exceed the user's quota (clusters, cores or memory). */
export class QuotaExceededError extends GatewayError {
  constructor(
    readonly user: string,
    message: string,
  ) {
    super("FG_GATEWAY_QUOTA_EXCEEDED", 409, message);
  }
}

/** Thrown when a request body is larger than the gateway's body limit. */
export class BodyTooLargeError extends GatewayError {
  constructor(limit: number) {
    super(
      "FG_GATEWAY_BODY_TOO_LARGE",
      413,
      `Request body is larger than ${limit} bytes; send less`,
    );
  }
}

/** Thrown at start-up when the gateway configuration is invalid. */
export class GatewayConfigError extends GatewayError {
  constructor(message: string, options?: ErrorOptions) {
    super("FG_GATEWAY_CONFIG", 500, message, options);
  }
}

/** Thrown at start-up when another live gateway uses the same database file. */
export class GatewayStateInUseError extends GatewayError {
  constructor(db: string, pid: number | undefined) {
    super(
      "FG_GATEWAY_STATE_IN_USE",
      500,
      `another gateway${pid ? ` (pid ${pid})` : ""} uses the database ${JSON.stringify(db)}; ` +
        `stop it, or give this gateway its own state folder (--state-dir, stateDir in the config or FLOWGATE_STATE_DIR) or db` +
        `${pid ? ` (if pid ${pid} is no gateway, remove ${db}.pid)` : ""}`,
    );
  }
}

/** Thrown by a backend when a scheduler or worker cannot be started. */
export class BackendStartError extends GatewayError {
  constructor(message: string, options?: ErrorOptions) {
    super("FG_GATEWAY_BACKEND_START", 500, message, options);
  }
}

/** Thrown when an API request sends a body that is not JSON (text/plain, multipart, forms). */
export class UnsupportedMediaTypeError extends GatewayError {
  constructor(
    readonly contentType: string,
    path: string,
  ) {
    super(
      "FG_GATEWAY_UNSUPPORTED_MEDIA_TYPE",
      415,
      `Content-Type ${JSON.stringify(contentType)} is not accepted by ${path}; send a JSON body with Content-Type: application/json`,
    );
  }
}

/** Thrown when an API path exists but not for the request's method (PUT, PATCH, …). */
export class MethodNotAllowedError extends GatewayError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly allowed: readonly string[],
  ) {
    super(
      "FG_GATEWAY_METHOD_NOT_ALLOWED",
      405,
      `Method ${method} is not allowed on ${path}; use ${allowed.join(", ")}`,
    );
  }
}

/** Thrown when a client address or a user name failed authentication too often recently. */
export class TooManyAttemptsError extends GatewayError {
  constructor(
    readonly subject: string,
    readonly retryAfterS: number,
  ) {
    super(
      "FG_GATEWAY_TOO_MANY_ATTEMPTS",
      429,
      `Too many failed authentication attempts from ${subject}; retry after ${retryAfterS} s`,
    );
  }
}

/**
 * Thrown when the `local` backend, which runs each user's clusters as their own Unix account,
 * has no account for the user (or, not running as root, may not switch to it).
 */
export class NoUnixAccountError extends GatewayError {
  constructor(
    readonly user: string,
    why: string,
  ) {
    super(
      "FG_GATEWAY_NO_UNIX_ACCOUNT",
      403,
      `User ${JSON.stringify(user)} cannot start clusters on this gateway: the "local" backend runs each user's clusters as that user's Unix account, and ${why}. Create the Unix account ${JSON.stringify(user)} on the gateway's machine (and run the gateway as root), or, on a single-user machine, choose the "unsafe-local" backend, which runs every cluster as the gateway's own account`,
    );
  }
}
