import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { GatewayUser } from "../auth/index.ts";
import type { ClusterRecord } from "../cluster-record.ts";
import { AuthRequiredError, ClusterNotFoundError, ForbiddenError } from "../errors.ts";
import type { GatewayContext } from "../gateway-context.ts";

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Authenticates a user request: a valid session cookie, or the Authorization header checked by
 * the configured authenticator through the AuthGuard (briefly cached, failures limited per
 * client `address` and user name). Returns the Set-Cookie value to send. Throws
 * AuthRequiredError (401) or TooManyAttemptsError (429).
 */
export async function authenticateUser(
  ctx: GatewayContext,
  headers: IncomingHttpHeaders,
  address: string | undefined,
): Promise<{ user: GatewayUser; setCookie?: string }> {
  const authz = headers.authorization;
  if (!authz) {
    const user = ctx.cookie.read(headers.cookie);
    if (user) return { user };
    throw new AuthRequiredError();
  }
  const user = await ctx.authGuard.authenticate(authz, address ?? "");
  if (!user) throw new AuthRequiredError("Invalid credentials");
  return { user, setCookie: ctx.cookie.issue(user) };
}

/** The cluster if `user` may act on it: unknown or malformed names are 404, others' clusters 403. */
export function ownedCluster(ctx: GatewayContext, user: GatewayUser, name: string): ClusterRecord {
  const c = namePattern.test(name) ? ctx.reg.get(name) : undefined;
  if (!c) throw new ClusterNotFoundError(name);
  if (c.user !== user.name && !user.admin) throw new ForbiddenError(name, user.name);
  return c;
}

/** Whether the Authorization header is `token <the cluster's token>`. */
export function hasClusterToken(c: ClusterRecord, authorization: string | undefined): boolean {
  const m = authorization ? /^token\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!m) return false;
  const a = createHash("sha256").update(m[1]!).digest();
  const b = createHash("sha256").update(c.token).digest();
  return timingSafeEqual(a, b);
}

export function validName(name: string): boolean {
  return namePattern.test(name);
}
