import type { ClusterSecurity } from "../security.ts";
import { SchedulerServer } from "../scheduler/scheduler-server.ts";
import { startDashboard } from "../scheduler/dashboard.ts";
import { GatewayLink } from "../scheduler/gateway-link.ts";

export interface SchedulerProcessOptions {
  readonly security?: ClusterSecurity;
  readonly host?: string;
  readonly port?: number;
  readonly dashboardPort?: number;
}

/**
 * Runs a scheduler in this process until SIGTERM/SIGINT, printing the ready line of
 * CONTRACTS.md once listening. Gateway mode when FLOWGATE_GATEWAY_API_URL is set.
 */
export async function runSchedulerProcess(o: SchedulerProcessOptions): Promise<void> {
  const host = o.host ?? "127.0.0.1";
  const server = new SchedulerServer({ host, port: o.port ?? 0, security: o.security });
  const address = await server.listen();
  const env = process.env;
  let link: GatewayLink | undefined;
  const dashboard = await startDashboard(server, {
    host,
    port: o.dashboardPort ?? 0,
    apiToken: env.FLOWGATE_GATEWAY_API_TOKEN,
    onComm: (body) => link?.comm(body),
  });
  if (env.FLOWGATE_GATEWAY_API_URL && env.FLOWGATE_GATEWAY_API_TOKEN && env.FLOWGATE_CLUSTER_NAME) {
    link = new GatewayLink(server, {
      apiUrl: env.FLOWGATE_GATEWAY_API_URL,
      token: env.FLOWGATE_GATEWAY_API_TOKEN,
      clusterName: env.FLOWGATE_CLUSTER_NAME,
      dashboardAddress: dashboard.url,
    });
    link.start();
  }
  process.stdout.write(
    `flowgate scheduler ready ${JSON.stringify({ address, dashboard: dashboard.url })}\n`,
  );
  const stop = async () => {
    link?.stop();
    await Promise.race([
      Promise.all([server.close(), dashboard.close()]),
      new Promise((r) => setTimeout(r, 2000)),
    ]);
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop());
  process.once("SIGINT", () => void stop());
}
