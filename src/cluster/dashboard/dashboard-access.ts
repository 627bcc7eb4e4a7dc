import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Whether a request to a gateway cluster's scheduler dashboard may be served: without a
 * `token` (a local cluster) everything is open; with one, every path except /api/health needs
 * `Authorization: token <token>` — the gateway adds it when it proxies a user's request, so
 * task names, logs and metrics are not served to whoever can reach the port directly.
 */
export function dashboardAccessAllowed(
  req: IncomingMessage,
  path: string,
  token: string | undefined,
): boolean {
  if (!token || path === "/api/health") return true;
  const m = /^token\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return m !== null && timingSafeEqual(digest(m[1]!), digest(token));
}
