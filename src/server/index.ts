/**
 * The orchestration server: registered flows and their bundles, runs and their history,
 * schedules, agents' claims, concurrency limits and webhooks, behind a REST API. It stores and
 * schedules runs but never executes a task (agents do, through environments).
 *
 * ```ts
 * import { FlowgateServer } from "flowgate/src/server/index.ts";
 * const server = await FlowgateServer.start({ address: "127.0.0.1:4200", db: "sqlite:runs.db" });
 * ```
 */
export { FlowgateServer } from "./flowgate-server.ts";
export { resolveServerOptions } from "./server-options.ts";
export type { ServerOptions, ResolvedServerOptions } from "./server-options.ts";
export { ServerClient } from "./client/server-client.ts";
export type { ServerClientOptions } from "./client/server-client.ts";
export { Store } from "./store/store.ts";
export { signWebhook, verifyWebhook } from "./webhooks/webhook-signature.ts";
export {
  ServerApiError,
  InvalidRequestError,
  AuthRequiredError,
  ForbiddenError,
  NotFoundError,
  ConflictError,
  ServerConfigError,
  StoreMigrationError,
  ServerUnreachableError,
  ServerRequestError,
} from "./errors.ts";
export type * from "./api/index.ts";
