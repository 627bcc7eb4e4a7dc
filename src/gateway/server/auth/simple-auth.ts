import { createHash, timingSafeEqual } from "node:crypto";
import type { Authenticator, GatewayUser } from "./authenticator.ts";
import { parseBasic } from "./authenticator.ts";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** HTTP Basic, any user name, an optional shared password. Testing and trusted networks only. */
export class SimpleAuthenticator implements Authenticator {
  readonly challenge = 'Basic realm="flowgate"';
  readonly #password: Buffer | null;
  readonly #admins: Set<string>;

  constructor(password: string | undefined, admins: string[] = []) {
    this.#password = password ? digest(password) : null;
    this.#admins = new Set(admins);
  }

  async authenticate(authorization: string | undefined): Promise<GatewayUser | null> {
    const b = parseBasic(authorization);
    if (!b) return null;
    if (this.#password && !timingSafeEqual(digest(b.password), this.#password)) return null;
    return { name: b.user, admin: this.#admins.has(b.user) };
  }
}
