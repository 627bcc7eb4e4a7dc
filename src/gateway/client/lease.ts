import { clusterPath } from "./cluster-paths.ts";
import { ClusterConflictError, UnknownClusterError, GatewayPermissionError } from "./errors.ts";
import type { GatewayHttp } from "./gateway-http.ts";

/**
 * Keeps a cluster's client lease alive: `POST /api/v1/clusters/{name}/lease` every ttl/3. The timer
 * is unref'd, so it never keeps the process alive; when the process ends, the lease runs out and
 * the gateway stops the cluster. A failed renewal is retried at the next tick; renewals stop for
 * good when the cluster is gone (404), not ours (403) or no longer has a lease (409).
 */
export class LeaseRenewer {
  #timer: NodeJS.Timeout | undefined;
  #inFlight = false;
  /** The last renewal error, if the last renewal failed. */
  lastError: Error | undefined;
  /** Successful renewals so far. */
  renewals = 0;

  constructor(
    private readonly http: GatewayHttp,
    readonly clusterName: string,
    readonly ttlSeconds: number,
  ) {}

  get running(): boolean {
    return this.#timer !== undefined;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.renew(), (this.ttlSeconds * 1000) / 3);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Renews once now (skipped while a renewal is in flight). Never throws. */
  async renew(): Promise<void> {
    if (this.#inFlight) return;
    this.#inFlight = true;
    try {
      await this.http.send({
        method: "POST",
        path: clusterPath(this.clusterName, "/lease"),
        what: `renew the lease of cluster "${this.clusterName}"`,
        clusterName: this.clusterName,
        timeoutMs: Math.floor(Math.min(this.http.fetchTimeout, (this.ttlSeconds * 1000) / 3)),
      });
      this.renewals++;
      this.lastError = undefined;
    } catch (e) {
      this.lastError = e as Error;
      if (
        e instanceof UnknownClusterError ||
        e instanceof GatewayPermissionError ||
        e instanceof ClusterConflictError
      )
        this.stop();
    } finally {
      this.#inFlight = false;
    }
  }
}
