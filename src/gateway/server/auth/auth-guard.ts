import { createHmac, randomBytes } from "node:crypto";
import { TooManyAttemptsError } from "../errors.ts";
import type { AuthLimits } from "../gateway-options.ts";
import type { Authenticator, GatewayUser } from "./authenticator.ts";
import { parseBasic } from "./authenticator.ts";
import { FailureLimiter } from "./failure-limiter.ts";

/**
 * Password checks (scrypt, ~50 ms of CPU each) running at once, and waiting: one core at most
 * goes to checking passwords, and a flood beyond the queue is answered 429 at once, so users
 * with a cached credential or a cookie keep the rest of the machine.
 */
const CONCURRENT_CHECKS = 1;
const QUEUED_CHECKS = 16;
const MAX_CACHED = 5000;

/**
 * Wraps an authenticator against credential floods: verified Authorization headers are cached
 * for `credentialCacheMs` (keyed by an HMAC of the header under a per-process key, so the cache
 * holds nothing a password could be recovered from), failed attempts are limited per client
 * address and per user name (429 with Retry-After), and one check runs at a time.
 */
export class AuthGuard {
  readonly #key = randomBytes(32);
  readonly #cache = new Map<string, { user: GatewayUser; until: number }>();
  readonly #byAddress: FailureLimiter;
  readonly #byUser: FailureLimiter;
  #running = 0;
  readonly #queue: (() => void)[] = [];

  constructor(
    private readonly auth: Authenticator,
    private readonly limits: AuthLimits,
  ) {
    this.#byAddress = new FailureLimiter(limits.maxFailuresPerAddress, limits.failureWindowMs);
    this.#byUser = new FailureLimiter(limits.maxFailuresPerUser, limits.failureWindowMs);
  }

  /**
   * The user the header authenticates, or null when it is wrong. Throws TooManyAttemptsError
   * when the address or user name failed too often recently (without checking the password).
   */
  async authenticate(authorization: string, address: string): Promise<GatewayUser | null> {
    const id = createHmac("sha256", this.#key).update(authorization).digest("base64");
    const now = Date.now();
    const hit = this.#cache.get(id);
    if (hit && hit.until > now) return hit.user;
    if (hit) this.#cache.delete(id);
    const name = parseBasic(authorization)?.user;
    const addressKey = address || "unknown";
    const waitAddress = this.#byAddress.retryAfterS(addressKey, now);
    if (waitAddress) throw new TooManyAttemptsError(`address ${addressKey}`, waitAddress);
    const waitUser = name === undefined ? 0 : this.#byUser.retryAfterS(name, now);
    if (waitUser) throw new TooManyAttemptsError(`user ${JSON.stringify(name)}`, waitUser);
    if (this.#queue.length >= QUEUED_CHECKS)
      throw new TooManyAttemptsError("everyone (too many logins at once)", 1);
    const atAddress = this.#byAddress.begin(addressKey, now);
    const atUser = name === undefined ? 0 : this.#byUser.begin(name, now);
    const user = await this.#limited(() => this.auth.authenticate(authorization));
    if (!user) return null;
    this.#byAddress.succeeded(addressKey, atAddress);
    if (name !== undefined) this.#byUser.succeeded(name, atUser);
    if (this.limits.credentialCacheMs > 0) {
      if (this.#cache.size >= MAX_CACHED) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(id, { user, until: Date.now() + this.limits.credentialCacheMs });
    }
    return user;
  }

  async #limited<T>(check: () => Promise<T>): Promise<T> {
    if (this.#running >= CONCURRENT_CHECKS) await new Promise<void>((go) => this.#queue.push(go));
    else this.#running++;
    try {
      return await check();
    } finally {
      const next = this.#queue.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
