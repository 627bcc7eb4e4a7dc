import { authFromEnv, type GatewayAuth } from "./auth.ts";
import { InvalidGatewayArgumentError } from "./errors.ts";

export interface GatewayOptions {
  /**
   * The gateway's one public address: `http(s)://host:port[/prefix]`, or `host:port` for http.
   * @default process.env.FLOWGATE_GATEWAY_ADDRESS (one of the two is required)
   */
  readonly address?: string;
  /**
   * Credentials.
   * @default FLOWGATE_GATEWAY_USER/FLOWGATE_GATEWAY_PASSWORD → BasicAuth, else FLOWGATE_GATEWAY_TOKEN
   * → TokenAuth, else BasicAuth with the OS user name (see authFromEnv)
   */
  readonly auth?: GatewayAuth;
  /**
   * Milliseconds to wait for each HTTP answer; long polls (`?wait`) get 20 s more.
   * @default 30000
   */
  readonly fetchTimeout?: number;
}

export interface ResolvedGatewayOptions {
  /** Normalised: scheme, host, port and prefix, no trailing slash. */
  readonly address: string;
  readonly auth: GatewayAuth;
  readonly fetchTimeout: number;
}

/** Fills in the defaults; throws InvalidGatewayArgumentError for a bad or missing address or timeout. */
export function resolveGatewayOptions(
  options: GatewayOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedGatewayOptions {
  const raw = options.address ?? env["FLOWGATE_GATEWAY_ADDRESS"];
  if (!raw)
    throw new InvalidGatewayArgumentError(
      'no gateway address: pass new Gateway({ address: "http://host:8000" }), --gateway, ' +
        "or set FLOWGATE_GATEWAY_ADDRESS",
    );
  const fetchTimeout = options.fetchTimeout ?? 30_000;
  if (!Number.isFinite(fetchTimeout) || fetchTimeout <= 0)
    throw new InvalidGatewayArgumentError(
      `fetchTimeout must be a positive number of milliseconds, got ${String(fetchTimeout)}; pass e.g. 30000`,
    );
  return {
    address: normalizeGatewayAddress(raw),
    auth: options.auth ?? authFromEnv(env),
    fetchTimeout,
  };
}

/** `host:port` → `http://host:port`; drops a trailing slash; only http and https. */
export function normalizeGatewayAddress(raw: string): string {
  const text = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL | undefined;
  try {
    url = new URL(withScheme);
  } catch {
    url = undefined;
  }
  if (
    !url ||
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    url.search ||
    url.hash ||
    !url.hostname
  )
    throw new InvalidGatewayArgumentError(
      `gateway address ${JSON.stringify(raw)} is not an http(s) address; ` +
        'pass e.g. "http://gateway.example.com:8000" or "127.0.0.1:8000"',
    );
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
