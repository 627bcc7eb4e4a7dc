import { ClusterConflictError, UnknownClusterError } from "./errors.ts";
import {
  toClusterReport,
  type ClusterReport,
  type ClusterSecurity,
  type ClusterStatus,
} from "./cluster-report.ts";
import { clusterPath, EXTENDED } from "./cluster-paths.ts";
import type { GatewayHttp } from "./gateway-http.ts";
import type { LeaseRenewer } from "./lease.ts";
import {
  adaptBody,
  scaleBody,
  toScaleResult,
  type AdaptOptions,
  type ScaleResult,
} from "./scale-result.ts";

/**
 * A RUNNING cluster on a gateway, as `gateway.newCluster()` and `gateway.connect()` return it.
 * Its scheduler is reached through the gateway: `schedulerAddress` (a ws(s):// tunnel) with
 * `security` (the cluster's TLS credentials and the upgrade's auth header). `close()`, or
 * `await using`, stops the cluster when it was opened with shutdownOnClose.
 */
export class GatewayCluster implements AsyncDisposable {
  readonly name: string;
  /** ws(s)://<gateway>/clusters/<name>/scheduler */
  readonly schedulerAddress: string;
  /** http(s)://<gateway>/clusters/<name>/status */
  readonly dashboardLink: string;
  readonly security: ClusterSecurity;
  readonly shutdownOnClose: boolean;
  #report: ClusterReport;
  #closed = false;

  /** Made by Gateway; `report` must be RUNNING (with TLS credentials). */
  constructor(
    private readonly http: GatewayHttp,
    report: ClusterReport & { security: ClusterSecurity },
    options: { shutdownOnClose: boolean },
    private readonly lease: LeaseRenewer | undefined,
  ) {
    this.name = report.name;
    this.schedulerAddress = report.schedulerAddress;
    this.dashboardLink =
      report.dashboardLink ?? `${http.address}/clusters/${encodeURIComponent(report.name)}/status`;
    this.security = report.security;
    this.shutdownOnClose = options.shutdownOnClose;
    this.#report = report;
  }

  /** The status last seen (refresh() asks the gateway again). */
  get status(): ClusterStatus {
    return this.#report.status;
  }

  /** Everything the gateway last said about the cluster. */
  get report(): ClusterReport {
    return this.#report;
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Fetches the cluster's current state. Throws the gateway client's errors. */
  async refresh(): Promise<ClusterReport> {
    const what = `get cluster "${this.name}"`;
    const model = await this.http.json({
      method: "GET",
      path: clusterPath(this.name),
      query: EXTENDED,
      what,
      clusterName: this.name,
    });
    this.#report = toClusterReport(
      model,
      { address: this.http.address, authorization: this.http.auth.authorization() },
      what,
    );
    return this.#report;
  }

  /** Workers wanted, running and starting, fetched now (zeros from a gateway that does not report them). */
  async workerCounts(): Promise<{ target: number; running: number; pending: number }> {
    return (await this.refresh()).workers ?? { target: 0, running: 0, pending: 0 };
  }

  /**
   * Asks for exactly `n` workers (turning adaptive scaling off). Resolves with ok false and the
   * gateway's message when it clamped n; throws ClusterConflictError when the cluster is not RUNNING.
   */
  async scale(n: number): Promise<ScaleResult> {
    const body = scaleBody(this.name, n);
    return toScaleResult(
      await this.http.json({
        method: "POST",
        path: clusterPath(this.name, "/scale"),
        body,
        what: `scale cluster "${this.name}" to ${n} workers`,
        clusterName: this.name,
      }),
    );
  }

  /** Lets the scheduler pick the worker count between minimum and maximum from its queued work. */
  async adapt(options: AdaptOptions = {}): Promise<ScaleResult> {
    const body = adaptBody(this.name, options);
    return toScaleResult(
      await this.http.json({
        method: "POST",
        path: clusterPath(this.name, "/adapt"),
        body,
        what: `adapt cluster "${this.name}"`,
        clusterName: this.name,
      }),
    );
  }

  /** The scheduler's and workers' output so far. */
  async logs(): Promise<string> {
    return this.http.text({
      method: "GET",
      path: clusterPath(this.name, "/logs"),
      what: `read the log of cluster "${this.name}"`,
      clusterName: this.name,
    });
  }

  /** Stops the cluster now (DELETE; the gateway finishes stopping it in the background). Idempotent. */
  async shutdown(): Promise<void> {
    this.lease?.stop();
    await this.http.send({
      method: "DELETE",
      path: clusterPath(this.name),
      what: `stop cluster "${this.name}"`,
      clusterName: this.name,
    });
    if (this.#report.status === "PENDING" || this.#report.status === "RUNNING")
      this.#report = { ...this.#report, status: "STOPPING" };
  }

  /**
   * Stops renewing the lease and shuts the cluster down if `shutdown` (default: shutdownOnClose).
   * With shutdown false the lease is ended on the gateway too, so the cluster stays up until
   * someone stops it (or its idle timeout or maximum lifetime ends it). Idempotent.
   */
  async close(options: { readonly shutdown?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.lease?.stop();
    if (options.shutdown ?? this.shutdownOnClose) return this.shutdown();
    if (this.lease)
      await this.http
        .send({
          method: "DELETE",
          path: `${clusterPath(this.name)}/lease`,
          what: `end the lease of cluster "${this.name}"`,
          clusterName: this.name,
        })
        .catch((e: unknown) => {
          // A cluster that is gone or stopping has no lease left to end.
          if (!(e instanceof UnknownClusterError || e instanceof ClusterConflictError)) throw e;
        });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
