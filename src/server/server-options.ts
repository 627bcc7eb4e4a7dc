import type { GatewayAuth } from "../gateway/client/index.ts";
import type { AuthConfig } from "../gateway/server/index.ts";
import { ServerConfigError } from "./errors.ts";
import type { ServerLog } from "./runs/run-service.ts";
import type { WebhookPolicy } from "./webhooks/webhook-dispatcher.ts";

/** `flowgate server` settings. */
export interface ServerOptions {
  /** host:port to listen on @default "127.0.0.1:4200" */
  address?: string;
  /** sqlite:PATH or postgres://… @default "sqlite:flowgate-server.db" */
  db?: string;
  /** the gateway's auth modes @default { type: "simple" } */
  auth?: AuthConfig;
  /** an agent silent this long is gone and its runs Crashed, ms @default 30000 */
  agentTimeoutMs?: number;
  /** how often agents are told to heartbeat, ms @default agentTimeoutMs / 6 */
  heartbeatMs?: number;
  /** upcoming runs created ahead per schedule clock @default 10 */
  scheduleAhead?: number;
  /** how often schedules are topped up, ms @default 1000 */
  schedulePeriodMs?: number;
  /** how often clusters of active runs are checked with their gateway, ms @default 5000 */
  clusterCheckMs?: number;
  /** gateway for runs whose cluster record has none @default FLOWGATE_GATEWAY_ADDRESS */
  gateway?: string;
  /** credentials the server uses with gateways (to stop clusters) @default authFromEnv() */
  gatewayAuth?: GatewayAuth;
  /** webhook retries */
  webhooks?: Partial<WebhookPolicy>;
  /** largest request body (bundles), bytes @default 64 MiB */
  bodyLimit?: number;
  /** where the server's own log lines go @default stderr */
  log?: ServerLog;
}

/** ServerOptions with every default filled in. */
export type ResolvedServerOptions = Required<Omit<ServerOptions, "gateway" | "gatewayAuth">> & {
  host: string;
  port: number;
  gateway: string | undefined;
  gatewayAuth: GatewayAuth | undefined;
  webhooks: WebhookPolicy;
};

/** Fills in defaults and checks values; throws ServerConfigError naming the bad one. */
export function resolveServerOptions(o: ServerOptions = {}): ResolvedServerOptions {
  const address = o.address ?? "127.0.0.1:4200";
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(address);
  if (!m || Number(m[2]) > 65535)
    throw new ServerConfigError(
      `--address ${JSON.stringify(address)} is not host:port; use e.g. 127.0.0.1:4200 or 0.0.0.0:0`,
    );
  const agentTimeoutMs = o.agentTimeoutMs ?? 30_000;
  for (const [k, v] of Object.entries({
    agentTimeoutMs,
    scheduleAhead: o.scheduleAhead,
    schedulePeriodMs: o.schedulePeriodMs,
  }))
    if (v !== undefined && (!Number.isFinite(v) || v <= 0))
      throw new ServerConfigError(`${k} must be a positive number, got ${String(v)}`);
  return {
    address,
    host: m[1]!.replace(/^\[|\]$/g, ""),
    port: Number(m[2]),
    db: o.db ?? "sqlite:flowgate-server.db",
    auth: o.auth ?? { type: "simple" },
    agentTimeoutMs,
    heartbeatMs: o.heartbeatMs ?? Math.max(100, Math.floor(agentTimeoutMs / 6)),
    scheduleAhead: o.scheduleAhead ?? 10,
    schedulePeriodMs: o.schedulePeriodMs ?? 1000,
    clusterCheckMs: o.clusterCheckMs ?? 5000,
    gateway: o.gateway ?? process.env["FLOWGATE_GATEWAY_ADDRESS"],
    gatewayAuth: o.gatewayAuth,
    webhooks: { maxAttempts: 8, backoffMs: 1000, timeoutMs: 10_000, ...o.webhooks },
    bodyLimit: o.bodyLimit ?? 64 * 1024 * 1024,
    log:
      o.log ??
      ((level, msg) =>
        process.stderr.write(`[flowgate server] ${level === "warn" ? "WARNING " : ""}${msg}\n`)),
  };
}
