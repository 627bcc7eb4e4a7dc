import { userInfo } from "node:os";
import { InvalidGatewayArgumentError } from "./errors.ts";

/** How the client proves who it is to the gateway: the value of the `Authorization` header. */
export interface GatewayAuth {
  /** The `Authorization` header value. */
  authorization(): string;
  /** Names the credentials in error messages, never revealing a secret (e.g. `user "ada"`). */
  describe(): string;
}

/**
 * HTTP Basic credentials, for the gateway's `simple` (any user name, optional shared password)
 * and `basic` authenticators. Throws InvalidGatewayArgumentError for an empty user or one with ":".
 */
export class BasicAuth implements GatewayAuth {
  readonly #header: string;

  constructor(
    readonly user: string,
    password = "",
  ) {
    if (typeof user !== "string" || user === "" || user.includes(":"))
      throw new InvalidGatewayArgumentError(
        `BasicAuth user ${JSON.stringify(user)} is not usable: it must be a non-empty string without ":"; ` +
          'pass e.g. new BasicAuth("ada", password) or set FLOWGATE_GATEWAY_USER',
      );
    this.#header = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  }

  authorization(): string {
    return this.#header;
  }

  describe(): string {
    return `user "${this.user}"`;
  }
}

/** A bearer API token or signed JWT, for the gateway's `token` authenticator. */
export class TokenAuth implements GatewayAuth {
  readonly #token: string;

  constructor(token: string) {
    if (typeof token !== "string" || token.trim() === "" || /\s/.test(token.trim()))
      throw new InvalidGatewayArgumentError(
        "TokenAuth token is empty or contains white space; pass the API token the gateway's admin issued, " +
          "or set FLOWGATE_GATEWAY_TOKEN",
      );
    this.#token = token.trim();
  }

  authorization(): string {
    return `Bearer ${this.#token}`;
  }

  describe(): string {
    return `the API token ${this.#token.slice(0, 4)}…`;
  }
}

/**
 * The default credentials: FLOWGATE_GATEWAY_USER (with FLOWGATE_GATEWAY_PASSWORD) → BasicAuth;
 * else FLOWGATE_GATEWAY_TOKEN → TokenAuth; else BasicAuth with the OS user name (and
 * FLOWGATE_GATEWAY_PASSWORD if set), which is what the `simple` authenticator expects.
 */
export function authFromEnv(env: NodeJS.ProcessEnv = process.env): GatewayAuth {
  const user = env["FLOWGATE_GATEWAY_USER"];
  const password = env["FLOWGATE_GATEWAY_PASSWORD"];
  const token = env["FLOWGATE_GATEWAY_TOKEN"];
  if (user) return new BasicAuth(user, password);
  if (token) return new TokenAuth(token);
  return new BasicAuth(osUserName(env), password);
}

function osUserName(env: NodeJS.ProcessEnv): string {
  try {
    const name = userInfo().username;
    if (name) return name;
  } catch {
    // No passwd entry for this uid (common in containers): fall back to the environment.
  }
  return env["USER"] || env["USERNAME"] || "flowgate";
}
