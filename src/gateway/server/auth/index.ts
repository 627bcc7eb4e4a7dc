import type { AuthConfig } from "../gateway-options.ts";
import type { Authenticator } from "./authenticator.ts";
import { BasicAuthenticator } from "./basic-auth.ts";
import { SimpleAuthenticator } from "./simple-auth.ts";
import { TokenAuthenticator } from "./token-auth.ts";

export type { Authenticator, GatewayUser } from "./authenticator.ts";
export { hashPassword, verifyPassword } from "./basic-auth.ts";
export { SessionCookie, cookieName } from "./session-cookie.ts";
export { AuthGuard } from "./auth-guard.ts";

/** Builds the authenticator the config names. */
export function makeAuthenticator(c: AuthConfig): Authenticator {
  switch (c.type) {
    case "simple":
      return new SimpleAuthenticator(c.password, c.admins);
    case "basic":
      return new BasicAuthenticator(c.users, c.admins);
    case "token":
      return new TokenAuthenticator(c);
  }
}
