import {
  toClusterReport,
  isClusterStatus,
  type ClusterReport,
  type ClusterSecurity,
  type ClusterStatus,
} from "./cluster-report.ts";
import { inWorkerMode } from "../../shipping/index.ts";
import { clusterPath, EXTENDED } from "./cluster-paths.ts";
import {
  ClusterStartTimeoutError,
  GatewayProtocolError,
  InvalidGatewayArgumentError,
} from "./errors.ts";
import { GatewayCluster } from "./gateway-cluster.ts";
import { GatewayHttp } from "./gateway-http.ts";
import { resolveGatewayOptions, type GatewayOptions } from "./gateway-options.ts";
import { LeaseRenewer } from "./lease.ts";
import {
  resolveNewClusterOptions,
  resolveStartTimeout,
  type ConnectOptions,
  type NewClusterOptions,
} from "./new-cluster-options.ts";
import {
  adaptBody,
  scaleBody,
  toScaleResult,
  type AdaptOptions,
  type ScaleResult,
} from "./scale-result.ts";
import { waitForCluster } from "./wait-for-cluster.ts";

/** One typed option a gateway offers (`GET /api/v1/options`). */
export interface ClusterOptionSpec {
  readonly field: string;
  readonly label?: string;
  readonly default?: unknown;
  readonly spec: {
    readonly type: "int" | "float" | "string" | "bool" | "select" | "mapping";
    readonly min?: number;
    readonly max?: number;
    readonly options?: readonly unknown[];
  };
}

/**
 * A client of a flowgate gateway (wire-compatible with Dask Gateway v1). Every method throws the
 * typed errors in ./errors.ts: GatewayUnreachableError, GatewayAuthenticationError (401),
 * GatewayPermissionError (403), UnknownClusterError (404), ClusterConflictError (409),
 * GatewayRequestRejectedError (422, with the gateway's text), GatewayServerError, GatewayTimeoutError.
 * The constructor throws InvalidGatewayArgumentError for a missing or bad address.
 */
export class Gateway {
  /** The normalised address, e.g. "http://127.0.0.1:8000". */
  readonly address: string;
  readonly #http: GatewayHttp;

  constructor(options: GatewayOptions = {}) {
    const resolved = inWorkerMode() ? inertOptions(options) : resolveGatewayOptions(options);
    this.address = resolved.address;
    this.#http = new GatewayHttp(resolved.address, resolved.auth, resolved.fetchTimeout);
  }

  /**
   * Creates a cluster and waits until it is RUNNING. With shutdownOnClose (the default) it renews
   * the cluster's lease until close(). Throws ClusterFailedError when the cluster fails to start
   * (with the gateway's reason and the log's tail) and ClusterStartTimeoutError after startTimeout;
   * in both cases a cluster this call created is stopped.
   */
  async newCluster(options: NewClusterOptions = {}): Promise<GatewayCluster> {
    const o = resolveNewClusterOptions(options);
    const name = await this.#create(o.clusterOptions, o.shutdownOnClose ? o.leaseTtl : undefined);
    const lease = o.shutdownOnClose ? new LeaseRenewer(this.#http, name, o.leaseTtl) : undefined;
    lease?.start();
    try {
      const report = await waitForCluster(this.#http, name, o.startTimeout);
      return new GatewayCluster(
        this.#http,
        running(report, this.address),
        { shutdownOnClose: o.shutdownOnClose },
        lease,
      );
    } catch (e) {
      lease?.stop();
      await this.stopCluster(name).catch(() => undefined);
      if (e instanceof ClusterStartTimeoutError)
        throw new ClusterStartTimeoutError(this.address, name, o.startTimeout, true);
      throw e;
    }
  }

  /** Asks for a cluster and returns its name at once, without waiting or a lease. */
  async submit(
    options: { readonly clusterOptions?: Readonly<Record<string, unknown>> } = {},
  ): Promise<string> {
    const { clusterOptions } = resolveNewClusterOptions({
      clusterOptions: options.clusterOptions ?? {},
    });
    return this.#create(clusterOptions, undefined);
  }

  /**
   * Attaches to an existing cluster, waiting until it is RUNNING. With shutdownOnClose, close()
   * stops it, and a cluster created with a lease has its lease renewed meanwhile.
   */
  async connect(name: string, options: ConnectOptions = {}): Promise<GatewayCluster> {
    const startTimeout = resolveStartTimeout(options.startTimeout);
    const shutdownOnClose = options.shutdownOnClose ?? false;
    const report = running(await waitForCluster(this.#http, name, startTimeout), this.address);
    const lease =
      shutdownOnClose && report.leaseTtl !== null
        ? new LeaseRenewer(this.#http, name, report.leaseTtl)
        : undefined;
    lease?.start();
    return new GatewayCluster(this.#http, report, { shutdownOnClose }, lease);
  }

  /**
   * The caller's clusters with the given statuses, oldest first.
   * @param status one status or several; @default PENDING and RUNNING (the gateway's default)
   */
  async listClusters(status?: ClusterStatus | readonly ClusterStatus[]): Promise<ClusterReport[]> {
    const statuses =
      status === undefined ? [] : typeof status === "string" ? [status] : [...status];
    for (const s of statuses)
      if (!isClusterStatus(s))
        throw new InvalidGatewayArgumentError(
          `unknown cluster status ${JSON.stringify(s)}; use one of PENDING, RUNNING, STOPPING, STOPPED, FAILED`,
        );
    const what = "list clusters";
    const body = await this.#http.json({
      method: "GET",
      path: "/api/v1/clusters/",
      query: { ...EXTENDED, ...(statuses.length > 0 && { status: statuses.join(",") }) },
      what,
    });
    if (typeof body !== "object" || body === null || Array.isArray(body))
      throw new GatewayProtocolError(this.address, what, "expected an object of clusters by name");
    return Object.values(body)
      .map((model) => toClusterReport(model, this.#reportContext(), what))
      .sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0));
  }

  /** One cluster's current state, without waiting. */
  async getCluster(name: string): Promise<ClusterReport> {
    const what = `get cluster "${name}"`;
    const model = await this.#http.json({
      method: "GET",
      path: clusterPath(name),
      query: EXTENDED,
      what,
      clusterName: name,
    });
    return toClusterReport(model, this.#reportContext(), what);
  }

  /** The typed cluster options the gateway offers. */
  async clusterOptions(): Promise<ClusterOptionSpec[]> {
    const what = "get the cluster options";
    const body = (await this.#http.json({
      method: "GET",
      path: "/api/v1/options",
      what,
    })) as Record<string, unknown> | null;
    const list = body?.["cluster_options"];
    if (!Array.isArray(list))
      throw new GatewayProtocolError(this.address, what, "no cluster_options list");
    return list as ClusterOptionSpec[];
  }

  /** Stops a cluster (204; idempotent, also for unknown names). */
  async stopCluster(name: string): Promise<void> {
    await this.#http.send({
      method: "DELETE",
      path: clusterPath(name),
      what: `stop cluster "${name}"`,
      clusterName: name,
    });
  }

  /** Asks for exactly n workers on a RUNNING cluster (turning adaptive scaling off). */
  async scaleCluster(name: string, n: number): Promise<ScaleResult> {
    const body = scaleBody(name, n);
    const path = clusterPath(name, "/scale");
    return toScaleResult(
      await this.#http.json({
        method: "POST",
        path,
        body,
        what: `scale cluster "${name}" to ${n} workers`,
        clusterName: name,
      }),
    );
  }

  /** Turns adaptive scaling on between minimum and maximum (or off with active: false). */
  async adaptCluster(name: string, options: AdaptOptions = {}): Promise<ScaleResult> {
    const body = adaptBody(name, options);
    const path = clusterPath(name, "/adapt");
    return toScaleResult(
      await this.#http.json({
        method: "POST",
        path,
        body,
        what: `adapt cluster "${name}"`,
        clusterName: name,
      }),
    );
  }

  /** The scheduler's and workers' output (`GET /api/v1/clusters/{name}/logs`). */
  async clusterLogs(name: string): Promise<string> {
    return this.#http.text({
      method: "GET",
      path: clusterPath(name, "/logs"),
      what: `read the log of cluster "${name}"`,
      clusterName: name,
    });
  }

  async #create(
    clusterOptions: Readonly<Record<string, unknown>>,
    leaseTtl: number | undefined,
  ): Promise<string> {
    const what = "create a cluster";
    const body = {
      cluster_options: clusterOptions,
      ...(leaseTtl !== undefined && { shutdown_on_close: true, lease_ttl: leaseTtl }),
    };
    const answer = (await this.#http.json({
      method: "POST",
      path: "/api/v1/clusters/",
      body,
      what,
    })) as Record<string, unknown> | null;
    const name = answer?.["name"];
    if (typeof name !== "string" || name === "")
      throw new GatewayProtocolError(
        this.address,
        what,
        `no cluster name in ${JSON.stringify(answer)}`,
      );
    return name;
  }

  #reportContext() {
    return { address: this.address, authorization: this.#http.auth.authorization() };
  }
}

function running(
  report: ClusterReport,
  address: string,
): ClusterReport & { security: ClusterSecurity } {
  if (report.security === null)
    throw new GatewayProtocolError(
      address,
      `connect to cluster "${report.name}"`,
      "a RUNNING cluster without tls_cert/tls_key",
    );
  return report as ClusterReport & { security: ClusterSecurity };
}

/**
 * Options for a Gateway made in a module loaded on a cluster worker, where it sends nothing
 * (shipping/worker-mode.ts): the worker usually lacks the gateway's address or credentials, which
 * must not make loading the module fail there.
 */
function inertOptions(options: GatewayOptions) {
  try {
    return resolveGatewayOptions(options);
  } catch {
    return resolveGatewayOptions({ address: "http://127.0.0.1:9" });
  }
}
