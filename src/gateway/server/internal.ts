/**
 * What sibling layers and tests use from gateway/server/ beyond its public surface
 * (index.ts). Not part of flowgate's public API.
 */
export { makeAuthenticator } from "./auth/index.ts";
export type { Authenticator } from "./auth/index.ts";
