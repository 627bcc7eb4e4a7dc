import { createHash, randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import {
  makeAuthenticator,
  SessionCookie,
  type Authenticator,
} from "../gateway/server/internal.ts";
import type { AuthConfig } from "../gateway/server/index.ts";
import { AuthRequiredError } from "./errors.ts";
import type { Viewer } from "./store/rows.ts";

/**
 * The gateway's authenticators (simple, basic, token) in front of the server's API. A checked
 * Authorization header is remembered for 5 minutes by its hash, so basic auth's scrypt is not
 * paid on every call of an agent or a benchmark. Browsers log in once (POST /api/login with the
 * Authorization header) and then send the gateway's signed session cookie (12 h, per process
 * secret: a restart logs them out).
 */
export class ServerAuth {
  readonly #auth: Authenticator;
  readonly #recent = new Map<string, { user: Viewer; until: number }>();
  readonly cookie = new SessionCookie(randomBytes(32).toString("hex"), 12 * 3600);

  constructor(config: AuthConfig) {
    this.#auth = makeAuthenticator(config);
  }

  get challenge(): string {
    return this.#auth.challenge;
  }

  /** The user; AuthRequiredError (401) for a missing or wrong Authorization header. */
  async authenticate(headers: IncomingHttpHeaders): Promise<Viewer> {
    const authz = headers.authorization;
    if (!authz) {
      const u = this.cookie.read(headers.cookie);
      if (u) return u;
      throw new AuthRequiredError();
    }
    const key = createHash("sha256").update(authz).digest("base64");
    const hit = this.#recent.get(key);
    if (hit && hit.until > Date.now()) return hit.user;
    const user = await this.#auth.authenticate(authz);
    if (!user)
      throw new AuthRequiredError("Invalid credentials: check the user, password or token");
    if (this.#recent.size > 1000) this.#recent.clear();
    this.#recent.set(key, { user, until: Date.now() + 300_000 });
    return user;
  }
}
