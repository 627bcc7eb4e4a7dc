/**
 * The flowgate server's REST API: TypeBox schemas (validated by the server, published as
 * OpenAPI at /api/openapi.json) and the TypeScript types derived from them. Every path is under
 * `/api`; every error is `{"error": "…"}` with a 4xx status.
 *
 * ```ts
 * import type { Run, CreateRunRequest } from "flowgate/src/server/api/index.ts";
 * ```
 */
export * from "./common.ts";
export * from "./run-state.ts";
export * from "./flows.ts";
export * from "./schedules.ts";
export * from "./runs.ts";
export * from "./tasks.ts";
export * from "./logs.ts";
export * from "./agents.ts";
export * from "./limits.ts";
export * from "./webhooks.ts";
export type * from "./events.ts";
