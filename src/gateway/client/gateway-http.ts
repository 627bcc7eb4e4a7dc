import type { GatewayAuth } from "./auth.ts";
import { CookieJar } from "./cookie-jar.ts";
import {
  GatewayClientError,
  GatewayProtocolError,
  GatewayTimeoutError,
  GatewayUnreachableError,
} from "./errors.ts";
import { errorForResponse } from "./response-error.ts";
import { inWorkerMode } from "../../shipping/index.ts";
import { neverSettles } from "../../shipping/internal.ts";

/** How much longer than fetchTimeout a `?wait` long poll may take (the gateway holds it ≤ 20 s). */
export const LONG_POLL_MS = 20_000;

export interface GatewayRequest {
  readonly method: "GET" | "POST" | "DELETE";
  /** Under the gateway address, starting with "/". */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** For messages, e.g. `scale cluster "abc"`. */
  readonly what: string;
  /** The cluster the request is about: a 404 then means that cluster is unknown. */
  readonly clusterName?: string;
  /** Overrides the timeout in milliseconds (long polls). */
  readonly timeoutMs?: number;
}

/**
 * The client's HTTP plumbing: global fetch, credentials, the gateway's cookie and the mapping of
 * failures to typed errors. Sends the cookie alone once the gateway has set one, and falls back
 * to the credentials when the gateway no longer accepts it.
 */
export class GatewayHttp {
  readonly #jar = new CookieJar();

  constructor(
    readonly address: string,
    readonly auth: GatewayAuth,
    readonly fetchTimeout: number,
  ) {}

  /** Sends the request and parses a JSON answer. */
  async json(request: GatewayRequest): Promise<unknown> {
    const { response, text } = await this.#send(request);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new GatewayProtocolError(
        this.address,
        request.what,
        `expected JSON, got ${response.headers.get("content-type") ?? "no content type"}: ${text.slice(0, 120)}`,
        response.status,
      );
    }
  }

  /** Sends the request and returns the answer's text. */
  async text(request: GatewayRequest): Promise<string> {
    return (await this.#send(request)).text;
  }

  /** Sends the request and ignores the answer's body. */
  async send(request: GatewayRequest): Promise<void> {
    await this.#send(request);
  }

  async #send(request: GatewayRequest): Promise<{ response: Response; text: string }> {
    // A module loaded on a cluster worker must not create or stop clusters (shipping/worker-mode.ts).
    if (inWorkerMode()) return neverSettles();
    const cookie = this.#jar.header();
    let result = await this.#fetch(request, cookie);
    if (result.response.status === 401 && cookie !== undefined) {
      // The gateway forgot the cookie (restart or cache expiry): authenticate again.
      this.#jar.clear();
      result = await this.#fetch(request, undefined);
    }
    const { response, text } = result;
    if (!response.ok)
      throw errorForResponse(response.status, text, response.headers.get("content-type") ?? "", {
        address: this.address,
        auth: this.auth,
        what: request.what,
        ...(request.clusterName !== undefined && { clusterName: request.clusterName }),
      });
    return result;
  }

  async #fetch(
    request: GatewayRequest,
    cookie: string | undefined,
  ): Promise<{ response: Response; text: string }> {
    const url = new URL(`${this.address}${request.path}`);
    for (const [k, v] of Object.entries(request.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: "application/json" };
    if (cookie !== undefined) headers["cookie"] = cookie;
    else headers["authorization"] = this.auth.authorization();
    if (request.body !== undefined) headers["content-type"] = "application/json";
    const timeoutMs = request.timeoutMs ?? this.fetchTimeout;
    try {
      const response = await fetch(url, {
        method: request.method,
        headers,
        body: request.body === undefined ? null : JSON.stringify(request.body),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: "follow",
      });
      this.#jar.store(response.headers);
      return { response, text: await response.text() };
    } catch (e) {
      throw this.#transportError(e, request.what, timeoutMs);
    }
  }

  #transportError(e: unknown, what: string, timeoutMs: number): GatewayClientError {
    if (e instanceof GatewayClientError) return e;
    if (e instanceof DOMException && (e.name === "TimeoutError" || e.name === "AbortError"))
      return new GatewayTimeoutError(this.address, what, timeoutMs, { cause: e });
    return new GatewayUnreachableError(this.address, reasonOf(e), { cause: e });
  }
}

/** The innermost reason undici gives: an errno code (ECONNREFUSED, ENOTFOUND) or a message. */
function reasonOf(e: unknown): string {
  let cause: unknown = e;
  for (let depth = 0; depth < 5 && cause instanceof Error; depth++) {
    const inner: unknown =
      cause instanceof AggregateError && cause.errors.length > 0 ? cause.errors[0] : cause.cause;
    if (!(inner instanceof Error)) break;
    cause = inner;
  }
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as NodeJS.ErrnoException).code;
  if (typeof code === "string" && /^E[A-Z0-9_]+$/.test(code)) return code;
  return typeof code === "string" ? `${cause.message} (${code})` : cause.message;
}
