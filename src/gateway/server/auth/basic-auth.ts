import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import type { BasicUser } from "../gateway-options.ts";
import { GatewayConfigError } from "../errors.ts";
import type { Authenticator, GatewayUser } from "./authenticator.ts";
import { parseBasic } from "./authenticator.ts";

function scryptAsync(
  password: string,
  salt: Buffer,
  len: number,
  o: { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, len, { ...o, maxmem: 256 * o.N * o.r }, (e, key) =>
      e ? reject(e) : resolve(key),
    ),
  );
}

/** Hashes a password for the `basic` authenticator's config: "scrypt:N:r:p:<salt>:<hash>". */
export async function hashPassword(
  password: string,
  o = { N: 16384, r: 8, p: 1 },
): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, o);
  return ["scrypt", o.N, o.r, o.p, salt.toString("base64"), hash.toString("base64")].join(":");
}

/** Checks a password against a hash from `hashPassword()`. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split(":");
  if (kind !== "scrypt" || !salt || !hash) {
    throw new GatewayConfigError(
      `a password hash is not "scrypt:N:r:p:salt:hash"; make one with hashPassword()`,
    );
  }
  const want = Buffer.from(hash, "base64");
  const got = await scryptAsync(password, Buffer.from(salt, "base64"), want.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(got, want);
}

/** HTTP Basic against users listed in the config with scrypt password hashes. */
export class BasicAuthenticator implements Authenticator {
  readonly challenge = 'Basic realm="flowgate"';

  constructor(
    private readonly users: Record<string, BasicUser>,
    private readonly admins: string[] = [],
  ) {
    for (const [name, u] of Object.entries(users)) {
      if (!u.passwordHash?.startsWith("scrypt:"))
        throw new GatewayConfigError(
          `user ${JSON.stringify(name)} has no scrypt passwordHash; make one with hashPassword()`,
        );
    }
  }

  async authenticate(authorization: string | undefined): Promise<GatewayUser | null> {
    const b = parseBasic(authorization);
    if (!b) return null;
    const u = Object.prototype.hasOwnProperty.call(this.users, b.user)
      ? this.users[b.user]
      : undefined;
    if (!u) return null;
    if (!(await verifyPassword(b.password, u.passwordHash))) return null;
    return { name: b.user, admin: Boolean(u.admin) || this.admins.includes(b.user) };
  }
}
