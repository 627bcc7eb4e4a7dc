/**
 * What sibling layers (the orchestration server's auth and login routes) and tests use from
 * gateway/server/ beyond its index.ts: the gateway's authenticators and session cookie, shared so
 * one login works for both. Not part of flowgate's public API.
 */
export { AuthGuard, makeAuthenticator, cookieName, SessionCookie } from "./auth/index.ts";
export type { Authenticator } from "./auth/index.ts";
