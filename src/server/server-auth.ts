import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { AuthGuard, makeAuthenticator, SessionCookie } from "../gateway/server/internal.ts";
import type { AuthConfig } from "../gateway/server/index.ts";
import { AuthRequiredError } from "./errors.ts";
import type { Viewer } from "./store/rows.ts";

/**
 * The gateway's authenticators (simple, basic, token) in front of the server's API, behind the
 * gateway's guard: a checked Authorization header is remembered for a minute (so basic auth's
 * scrypt is not paid on every call of an agent), failed attempts are limited per client address
 * and per user name (TooManyAttemptsError → 429 with Retry-After), and only a few password checks
 * run at once, so a wrong-password flood does not slow other users. Browsers log in once
 * (POST /api/login with the Authorization header) and then send the gateway's signed session
 * cookie (12 h, per process secret: a restart logs them out).
 */
export class ServerAuth {
  readonly #guard: AuthGuard;
  readonly challenge: string;
  readonly cookie = new SessionCookie(randomBytes(32).toString("hex"), 12 * 3600);

  constructor(config: AuthConfig) {
    const auth = makeAuthenticator(config);
    this.challenge = auth.challenge;
    // The gateway's defaults (see docs/gateway-config.example.ts, authLimits).
    this.#guard = new AuthGuard(auth, {
      maxFailuresPerAddress: 20,
      maxFailuresPerUser: 10,
      failureWindowMs: 60_000,
      credentialCacheMs: 60_000,
    });
  }

  /**
   * The user; AuthRequiredError (401) for a missing or wrong Authorization header,
   * TooManyAttemptsError (429) when `address` or the user name failed too often recently.
   */
  async authenticate(headers: IncomingHttpHeaders, address: string): Promise<Viewer> {
    const authz = headers.authorization;
    if (!authz) {
      const u = this.cookie.read(headers.cookie);
      if (u) return u;
      throw new AuthRequiredError();
    }
    const user = await this.#guard.authenticate(authz, address);
    if (!user)
      throw new AuthRequiredError("Invalid credentials: check the user, password or token");
    return user;
  }
}
