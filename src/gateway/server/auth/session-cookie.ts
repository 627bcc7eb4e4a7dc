import { createHmac, timingSafeEqual } from "node:crypto";
import type { GatewayUser } from "./authenticator.ts";

export const cookieName = "flowgate-gateway";

/**
 * A signed cookie that remembers an authenticated user for `maxAgeS`, so the password (an
 * scrypt hash check) is not re-verified on every call. Stateless: HMAC over user, admin, expiry.
 */
export class SessionCookie {
  constructor(
    private readonly secret: string,
    readonly maxAgeS = 600,
  ) {}

  #sign(body: string): string {
    return createHmac("sha256", this.secret).update(body).digest("base64url");
  }

  issue(u: GatewayUser): string {
    const body = Buffer.from(
      JSON.stringify({ u: u.name, a: u.admin, e: Date.now() + this.maxAgeS * 1000 }),
    ).toString("base64url");
    const value = `${body}.${this.#sign(body)}`;
    return `${cookieName}=${value}; Path=/; Max-Age=${this.maxAgeS}; HttpOnly; SameSite=Lax`;
  }

  /** The user in a valid, unexpired cookie of the Cookie header; otherwise null. */
  read(cookieHeader: string | undefined): GatewayUser | null {
    if (!cookieHeader) return null;
    const m = new RegExp(`(?:^|;\\s*)${cookieName}=([A-Za-z0-9_-]+)\\.([A-Za-z0-9_-]+)`).exec(
      cookieHeader,
    );
    if (!m) return null;
    const want = Buffer.from(this.#sign(m[1]!));
    const got = Buffer.from(m[2]!);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
    try {
      const p = JSON.parse(Buffer.from(m[1]!, "base64url").toString("utf8")) as {
        u: string;
        a: boolean;
        e: number;
      };
      if (typeof p.u !== "string" || p.e < Date.now()) return null;
      return { name: p.u, admin: p.a === true };
    } catch {
      return null;
    }
  }
}
