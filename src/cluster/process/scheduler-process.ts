import { hostname } from "node:os";
import type { ClusterSecurity } from "../security.ts";
import { SchedulerServer } from "../scheduler/scheduler-server.ts";
import { startDashboard } from "../scheduler/dashboard.ts";
import { GatewayLink } from "../scheduler/gateway-link.ts";

export interface SchedulerProcessOptions {
  readonly security?: ClusterSecurity;
  readonly host?: string;
  /**
   * The host put in the addresses the scheduler reports (ready line, gateway heartbeats) when
   * it differs from where it listens. @default host, or the machine's name when host is a
   * wildcard (0.0.0.0, ::), which no other process could connect to
   */
  readonly advertiseHost?: string;
  readonly port?: number;
  /** Listen on this Unix socket (absolute path, no TLS) instead of host:port. */
  readonly socketPath?: string;
  /** The dashboard's HTTP port, on `host` (also with socketPath). */
  readonly dashboardPort?: number;
}

const wildcards = new Set(["0.0.0.0", "::", "[::]", ""]);

/** `address` with its host replaced: tls://0.0.0.0:8786 → tls://10.1.2.3:8786. */
export function withHost(address: string, host: string): string {
  const shown = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return address.replace(/^([a-z]+:\/\/)(\[[^\]]*\]|[^:/]*)/i, `$1${shown}`);
}

/** A scheduler listening in this process, with its dashboard. */
export interface OpenScheduler {
  readonly server: SchedulerServer;
  /** Where it listens (a socket path, or the port it was given or got). */
  readonly address: string;
  readonly dashboardUrl: string;
  /** Stops both; its workers then exit. */
  close(): Promise<void>;
}

/**
 * Starts a scheduler and its dashboard in this process: for the scheduler process, and for a
 * LocalCluster that keeps its scheduler in the caller's process.
 */
export async function openScheduler(
  o: SchedulerProcessOptions & { readonly onComm?: (body: Record<string, unknown>) => void },
): Promise<OpenScheduler> {
  const host = o.host ?? "127.0.0.1";
  const server = new SchedulerServer({
    host,
    port: o.port ?? 0,
    socketPath: o.socketPath,
    security: o.security,
    // FLOWGATE_SPECULATION=off turns speculative assignment on dependent chains off (to compare).
    speculate: process.env.FLOWGATE_SPECULATION !== "off",
  });
  const address = await server.listen();
  const dashboard = await startDashboard(server, {
    host,
    port: o.dashboardPort ?? 0,
    apiToken: process.env.FLOWGATE_GATEWAY_API_TOKEN,
    onComm: o.onComm,
  }).catch(async (e: unknown) => {
    await server.close();
    throw e;
  });
  return {
    server,
    address,
    dashboardUrl: dashboard.url,
    close: async () => void (await Promise.all([server.close(), dashboard.close()])),
  };
}

/**
 * Runs a scheduler in this process until SIGTERM/SIGINT, printing the ready line of
 * CONTRACTS.md once listening. Gateway mode when FLOWGATE_GATEWAY_API_URL is set: then it also
 * stops itself (and so its workers) when the gateway disowns the cluster or stays unreachable
 * (see GatewayLink).
 */
export async function runSchedulerProcess(o: SchedulerProcessOptions): Promise<void> {
  let link: GatewayLink | undefined;
  const scheduler = await openScheduler({ ...o, onComm: (body) => link?.comm(body) });
  const host = o.host ?? "127.0.0.1";
  const advertise = o.advertiseHost || (wildcards.has(host) ? hostname() : undefined);
  const address =
    advertise && !o.socketPath ? withHost(scheduler.address, advertise) : scheduler.address;
  const dashboardUrl = advertise
    ? withHost(scheduler.dashboardUrl, advertise)
    : scheduler.dashboardUrl;
  const env = process.env;
  let stopping = false;
  const stop = async (why?: string) => {
    if (stopping) return;
    stopping = true;
    if (why) process.stderr.write(`flowgate scheduler: stopping: ${why}\n`);
    link?.stop();
    await Promise.race([scheduler.close(), new Promise((r) => setTimeout(r, 2000))]);
    process.exit(0);
  };
  if (env.FLOWGATE_GATEWAY_API_URL && env.FLOWGATE_GATEWAY_API_TOKEN && env.FLOWGATE_CLUSTER_NAME) {
    link = new GatewayLink(scheduler.server, {
      apiUrl: env.FLOWGATE_GATEWAY_API_URL,
      token: env.FLOWGATE_GATEWAY_API_TOKEN,
      clusterName: env.FLOWGATE_CLUSTER_NAME,
      schedulerAddress: address,
      dashboardAddress: dashboardUrl,
      onOrphaned: (why) => void stop(why),
    });
    link.start();
  }
  process.stdout.write(
    `flowgate scheduler ready ${JSON.stringify({ address, dashboard: dashboardUrl })}\n`,
  );
  process.once("SIGTERM", () => void stop());
  process.once("SIGINT", () => void stop());
}
