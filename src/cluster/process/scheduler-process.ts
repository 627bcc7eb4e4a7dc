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

/**
 * Runs a scheduler in this process until SIGTERM/SIGINT, printing the ready line of
 * CONTRACTS.md once listening. Gateway mode when FLOWGATE_GATEWAY_API_URL is set: then it also
 * stops itself (and so its workers) when the gateway disowns the cluster or stays unreachable
 * (see GatewayLink).
 */
export async function runSchedulerProcess(o: SchedulerProcessOptions): Promise<void> {
  const host = o.host ?? "127.0.0.1";
  const server = new SchedulerServer({
    host,
    port: o.port ?? 0,
    socketPath: o.socketPath,
    security: o.security,
    // FLOWGATE_SPECULATION=off turns speculative assignment on dependent chains off (to compare).
    speculate: process.env.FLOWGATE_SPECULATION !== "off",
  });
  const listening = await server.listen();
  const advertise = o.advertiseHost || (wildcards.has(host) ? hostname() : undefined);
  const address = advertise && !o.socketPath ? withHost(listening, advertise) : listening;
  const env = process.env;
  let link: GatewayLink | undefined;
  const dashboard = await startDashboard(server, {
    host,
    port: o.dashboardPort ?? 0,
    apiToken: env.FLOWGATE_GATEWAY_API_TOKEN,
    onComm: (body) => link?.comm(body),
  });
  const dashboardUrl = advertise ? withHost(dashboard.url, advertise) : dashboard.url;
  let stopping = false;
  const stop = async (why?: string) => {
    if (stopping) return;
    stopping = true;
    if (why) process.stderr.write(`flowgate scheduler: stopping: ${why}\n`);
    link?.stop();
    await Promise.race([
      Promise.all([server.close(), dashboard.close()]),
      new Promise((r) => setTimeout(r, 2000)),
    ]);
    process.exit(0);
  };
  if (env.FLOWGATE_GATEWAY_API_URL && env.FLOWGATE_GATEWAY_API_TOKEN && env.FLOWGATE_CLUSTER_NAME) {
    link = new GatewayLink(server, {
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
