import { InvalidGatewayArgumentError } from "./errors.ts";

export interface NewClusterOptions {
  /** Values for the gateway's typed cluster options (see `gateway.clusterOptions()`). @default {} */
  readonly clusterOptions?: Readonly<Record<string, unknown>>;
  /**
   * Stop the cluster when this client closes it or goes silent: the client holds a lease that it
   * renews every leaseTtl/3, and the gateway stops the cluster when the lease runs out.
   * @default true
   */
  readonly shutdownOnClose?: boolean;
  /** Seconds of silence after which the gateway stops the cluster (with shutdownOnClose). @default 30 */
  readonly leaseTtl?: number;
  /** Milliseconds to wait for RUNNING; then the cluster is stopped and the call throws. @default 300000 */
  readonly startTimeout?: number;
}

export interface ConnectOptions {
  /** Stop the cluster on close() (renewing its lease, if it has one, meanwhile). @default false */
  readonly shutdownOnClose?: boolean;
  /** Milliseconds to wait for a PENDING cluster to be RUNNING. @default 300000 */
  readonly startTimeout?: number;
}

export interface ResolvedNewClusterOptions {
  readonly clusterOptions: Readonly<Record<string, unknown>>;
  readonly shutdownOnClose: boolean;
  readonly leaseTtl: number;
  readonly startTimeout: number;
}

/** Fills in the defaults; throws InvalidGatewayArgumentError for a bad value. */
export function resolveNewClusterOptions(
  options: NewClusterOptions = {},
): ResolvedNewClusterOptions {
  const clusterOptions = options.clusterOptions ?? {};
  if (
    typeof clusterOptions !== "object" ||
    clusterOptions === null ||
    Array.isArray(clusterOptions)
  )
    throw new InvalidGatewayArgumentError(
      `clusterOptions must be an object of option values, got ${JSON.stringify(clusterOptions)}; pass e.g. { worker_cores: 2 }`,
    );
  const leaseTtl = options.leaseTtl ?? 30;
  if (!Number.isFinite(leaseTtl) || leaseTtl <= 0)
    throw new InvalidGatewayArgumentError(
      `leaseTtl must be a positive number of seconds, got ${String(leaseTtl)}; pass e.g. 30`,
    );
  return {
    clusterOptions,
    shutdownOnClose: options.shutdownOnClose ?? true,
    leaseTtl,
    startTimeout: resolveStartTimeout(options.startTimeout),
  };
}

/** Checks startTimeout (milliseconds) and applies its default. */
export function resolveStartTimeout(startTimeout: number | undefined): number {
  const value = startTimeout ?? 300_000;
  if (!Number.isFinite(value) || value <= 0)
    throw new InvalidGatewayArgumentError(
      `startTimeout must be a positive number of milliseconds, got ${String(value)}; pass e.g. 120000`,
    );
  return value;
}
