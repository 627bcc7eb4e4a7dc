import { createHash, createPublicKey, timingSafeEqual } from "node:crypto";
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { AuthConfig } from "../gateway-options.ts";
import type { Authenticator, GatewayUser } from "./authenticator.ts";

type TokenConfig = Extract<AuthConfig, { type: "token" }>;
const digest = (s: string) => createHash("sha256").update(s).digest();

/** Bearer API tokens from the config, or JWTs (HS256 secret, PEM public key or JWKS URL). */
export class TokenAuthenticator implements Authenticator {
  readonly challenge = 'Bearer realm="flowgate"';
  readonly #tokens: { hash: Buffer; user: string; admin: boolean }[];
  readonly #key: Uint8Array | ReturnType<typeof createPublicKey> | JWTVerifyGetKey | undefined;

  constructor(private readonly c: TokenConfig) {
    this.#tokens = Object.entries(c.tokens ?? {}).map(([t, u]) => ({
      hash: digest(t),
      user: u.user,
      admin: Boolean(u.admin),
    }));
    const j = c.jwt;
    if (j?.secret) this.#key = new TextEncoder().encode(j.secret);
    else if (j?.publicKey) this.#key = createPublicKey(j.publicKey);
    else if (j?.jwksUrl) this.#key = createRemoteJWKSet(new URL(j.jwksUrl));
  }

  async authenticate(authorization: string | undefined): Promise<GatewayUser | null> {
    const m = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    if (!m) return null;
    const token = m[1]!;
    const h = digest(token);
    const hit = this.#tokens.find((t) => timingSafeEqual(t.hash, h));
    const admins = this.c.admins ?? [];
    if (hit) return { name: hit.user, admin: hit.admin || admins.includes(hit.user) };
    if (!this.#key || token.split(".").length !== 3) return null;
    try {
      const j = this.c.jwt!;
      const opts = { issuer: j.issuer, audience: j.audience };
      const { payload } =
        typeof this.#key === "function"
          ? await jwtVerify(token, this.#key, opts)
          : await jwtVerify(token, this.#key, opts);
      const name = payload[j.userClaim ?? "sub"];
      if (typeof name !== "string" || !name) return null;
      const admin = payload[j.adminClaim ?? "admin"] === true || admins.includes(name);
      return { name, admin };
    } catch {
      return null;
    }
  }
}
