import { type GatewayAuth, Gateway, type ClusterReport } from "../../gateway/client/index.ts";
import type { RunCluster } from "../api/index.ts";

/**
 * Talks to the gateway on a run's behalf, through the gateway's public REST API only: stops a
 * run's cluster (when its agent died or the run was cancelled/crashed) and reads its status.
 * The gateway is the run's recorded one; credentials are the server's own (`gatewayAuth`).
 */
export class ClusterStopper {
  readonly #clients = new Map<string, Gateway>();

  constructor(
    private readonly auth: GatewayAuth | undefined,
    private readonly fallbackGateway: string | undefined,
  ) {}

  #gateway(c: RunCluster): Gateway | undefined {
    const address = c.gateway ?? this.fallbackGateway;
    if (!address) return undefined;
    let g = this.#clients.get(address);
    if (!g) {
      g = new Gateway({ address, auth: this.auth, fetchTimeout: 10_000 });
      this.#clients.set(address, g);
    }
    return g;
  }

  /** Stops the cluster (idempotent); returns an error text, or null when it is stopping/stopped. */
  async stop(c: RunCluster): Promise<string | null> {
    const g = this.#gateway(c);
    if (!g) return `no gateway address recorded for cluster ${c.name}`;
    try {
      await g.stopCluster(c.name);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /** The cluster's report, or undefined when the gateway cannot be asked. */
  async status(c: RunCluster): Promise<ClusterReport | undefined> {
    const g = this.#gateway(c);
    if (!g) return undefined;
    return g.getCluster(c.name).catch(() => undefined);
  }
}
