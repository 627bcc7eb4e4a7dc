import type { GatewayAuth } from "./auth.ts";
import {
  ClusterConflictError,
  UnknownClusterError,
  GatewayAuthenticationError,
  GatewayClientError,
  GatewayPermissionError,
  GatewayProtocolError,
  GatewayRequestRejectedError,
  GatewayServerError,
} from "./errors.ts";

/** What a failed request was about, for the error message. */
export interface RequestContext {
  readonly address: string;
  readonly auth: GatewayAuth;
  /** e.g. `scale cluster "abc"`. */
  readonly what: string;
  readonly clusterName?: string;
}

/**
 * The one place where an HTTP error status becomes a typed error. `body` is the response text;
 * the gateway's `{"error": "..."}` text is passed through.
 */
export function errorForResponse(
  status: number,
  body: string,
  contentType: string,
  ctx: RequestContext,
): GatewayClientError {
  const serverText = errorText(body, contentType);
  const { address, what } = ctx;
  // A 404 without a JSON error body did not come from a flowgate gateway's API.
  if (serverText === undefined && (status === 404 || status === 405))
    return new GatewayProtocolError(
      address,
      what,
      `HTTP ${status} with a ${contentType || "untyped"} body`,
      status,
    );
  const text = serverText ?? (body.trim().slice(0, 300) || `HTTP ${status}`);
  switch (status) {
    case 401:
    case 429: // too many failed logins: the text says when to retry
      return new GatewayAuthenticationError(address, ctx.auth.describe(), text);
    case 403:
      return new GatewayPermissionError(address, ctx.auth.describe(), what, text, ctx.clusterName);
    case 404:
      return ctx.clusterName !== undefined
        ? new UnknownClusterError(address, ctx.clusterName, text)
        : new GatewayProtocolError(address, what, `HTTP 404: ${text}`, 404);
    case 409:
      return new ClusterConflictError(address, what, text, ctx.clusterName);
    case 400:
    case 413:
    case 415:
    case 422:
      return new GatewayRequestRejectedError(address, what, status, text);
    default:
      return new GatewayServerError(address, what, status, text);
  }
}

function errorText(body: string, contentType: string): string | undefined {
  if (!contentType.includes("json")) return undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed === "object" && parsed !== null) {
      const error = (parsed as Record<string, unknown>)["error"];
      if (typeof error === "string") return error;
      const message = (parsed as Record<string, unknown>)["message"];
      if (typeof message === "string") return message;
    }
  } catch {
    // Not JSON after all: the caller reports the raw text.
  }
  return undefined;
}
