import { FlowgateError } from "../graph/errors.ts";

/** Base of errors the server answers with an HTTP status; the body is `{"error": message}`. */
export class ServerApiError extends FlowgateError {
  constructor(
    code: string,
    readonly status: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

/** A request body, query or path value is malformed (422; 400 for unparsable JSON). */
export class InvalidRequestError extends ServerApiError {
  constructor(message: string, status = 422) {
    super("FG_SERVER_INVALID_REQUEST", status, message);
  }
}

/** No credentials, or wrong ones (401). */
export class AuthRequiredError extends ServerApiError {
  constructor(message = "Authentication required: send an Authorization header (Basic or Bearer)") {
    super("FG_SERVER_AUTH_REQUIRED", 401, message);
  }
}

/** The user may not see or change the object (403). */
export class ForbiddenError extends ServerApiError {
  constructor(message: string) {
    super("FG_SERVER_FORBIDDEN", 403, message);
  }
}

/** No such flow, run, agent, webhook or bundle (404). */
export class NotFoundError extends ServerApiError {
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {
    super(
      "FG_SERVER_NOT_FOUND",
      404,
      `${kind} ${JSON.stringify(id)} not found; list them with GET /api/${kind}s`,
    );
  }
}

/** A state change that the run's current state does not allow, or a duplicate (409). */
export class ConflictError extends ServerApiError {
  constructor(message: string) {
    super("FG_SERVER_CONFLICT", 409, message);
  }
}

/** The server's own options are wrong (bad --db, --address, config). */
export class ServerConfigError extends FlowgateError {
  constructor(message: string) {
    super("FG_SERVER_CONFIG", message);
  }
}

/** The database refused a migration or is at a newer schema version than this server knows. */
export class StoreMigrationError extends FlowgateError {
  constructor(message: string, options?: ErrorOptions) {
    super("FG_SERVER_MIGRATION", message, options);
  }
}

/** The client could not reach the server at all (connection refused, DNS, timeout). */
export class ServerUnreachableError extends FlowgateError {
  constructor(
    readonly address: string,
    options?: ErrorOptions,
  ) {
    super(
      "FG_SERVER_UNREACHABLE",
      `cannot reach the flowgate server at ${address}: ${(options?.cause as Error | undefined)?.message ?? "no answer"}; ` +
        "check the address (--server) and that `flowgate server` runs there",
      options,
    );
  }
}

/** The server answered a client request with an error status; `status` and the server's message. */
export class ServerRequestError extends FlowgateError {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly serverMessage: string,
  ) {
    super("FG_SERVER_REQUEST", `${method} ${path} failed with ${status}: ${serverMessage}`);
  }
}
