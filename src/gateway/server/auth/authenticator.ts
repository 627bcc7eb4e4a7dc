/** Who made a request. */
export interface GatewayUser {
  name: string;
  admin: boolean;
}

/**
 * Checks a request's Authorization header. Returns the user, or null when the header is
 * missing or wrong (the REST layer answers 401 with `challenge` in WWW-Authenticate).
 */
export interface Authenticator {
  readonly challenge: string;
  authenticate(authorization: string | undefined): Promise<GatewayUser | null>;
}

/** Splits "Basic dXNlcjpwdw==" into user and password; null when it is not Basic. */
export function parseBasic(
  authorization: string | undefined,
): { user: string; password: string } | null {
  if (!authorization) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
  if (!m) return null;
  const text = Buffer.from(m[1]!, "base64").toString("utf8");
  const i = text.indexOf(":");
  if (i < 0) return null;
  const user = text.slice(0, i);
  if (!user || user.length > 256 || [...user].some((ch) => ch.charCodeAt(0) < 32)) return null;
  return { user, password: text.slice(i + 1) };
}
