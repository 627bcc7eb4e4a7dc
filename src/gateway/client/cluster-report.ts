import { GatewayProtocolError } from "./errors.ts";

/** A cluster's status as the gateway reports it (Dask Gateway's ClusterStatus names). */
export const ClusterStatus = {
  PENDING: "PENDING",
  RUNNING: "RUNNING",
  STOPPING: "STOPPING",
  STOPPED: "STOPPED",
  FAILED: "FAILED",
} as const;
export type ClusterStatus = (typeof ClusterStatus)[keyof typeof ClusterStatus];

const STATUSES = new Set<string>(Object.values(ClusterStatus));

/** True for the names in ClusterStatus (upper case). */
export function isClusterStatus(value: unknown): value is ClusterStatus {
  return typeof value === "string" && STATUSES.has(value);
}

/** What a scheduler connection needs (CONTRACTS.md): mutual TLS with the cluster's certificate. */
export interface ClusterSecurity {
  /** PEM certificate; also the CA unless tlsCa is given. */
  readonly tlsCert: string;
  /** PEM private key. */
  readonly tlsKey: string;
  /** PEM CA. @default tlsCert */
  readonly tlsCa?: string;
  /** Headers sent on a ws(s):// upgrade: the user's gateway credentials. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One cluster, as `listClusters` and `getCluster` return it. */
export interface ClusterReport {
  readonly name: string;
  readonly status: ClusterStatus;
  /** The owner (a flowgate extension; undefined from a plain Dask Gateway). */
  readonly user: string | undefined;
  /** The cluster options the gateway applied. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Milliseconds since the epoch. */
  readonly startTime: number | null;
  readonly stopTime: number | null;
  /** Why it stopped or failed, when it has. */
  readonly stopReason: string | null;
  /** The scheduler tunnel through the gateway: ws(s)://<gateway>/clusters/<name>/scheduler. */
  readonly schedulerAddress: string;
  /** The dashboard through the gateway; null until the cluster is RUNNING. */
  readonly dashboardLink: string | null;
  /** TLS credentials and upgrade headers; null until the cluster is RUNNING. */
  readonly security: ClusterSecurity | null;
  /** Workers wanted, running and pending, when the gateway reports them. */
  readonly workers: {
    readonly target: number;
    readonly running: number;
    readonly pending: number;
  } | null;
  /** Adaptive bounds when adaptive scaling is on. */
  readonly adapt: {
    readonly minimum: number;
    readonly maximum: number;
    readonly active: boolean;
  } | null;
  /** The client lease in seconds, when the creator asked for shutdown on close. */
  readonly leaseTtl: number | null;
}

/** Turns the gateway's JSON cluster model into a ClusterReport; throws GatewayProtocolError if malformed. */
export function toClusterReport(
  model: unknown,
  gateway: { address: string; authorization: string },
  what: string,
): ClusterReport {
  const m = model as Record<string, unknown> | null;
  if (
    typeof m !== "object" ||
    m === null ||
    typeof m["name"] !== "string" ||
    !isClusterStatus(m["status"])
  )
    throw new GatewayProtocolError(
      gateway.address,
      what,
      `not a cluster model: ${JSON.stringify(model)?.slice(0, 200)}`,
    );
  const name = m["name"];
  const base = gateway.address;
  const tunnel =
    typeof m["tunnel_path"] === "string"
      ? m["tunnel_path"]
      : `/clusters/${encodeURIComponent(name)}/scheduler`;
  const route = typeof m["dashboard_route"] === "string" ? m["dashboard_route"] : null;
  const cert = m["tls_cert"];
  const key = m["tls_key"];
  return {
    name,
    status: m["status"],
    user: typeof m["user"] === "string" ? m["user"] : undefined,
    options: isRecord(m["options"]) ? m["options"] : {},
    startTime: numberOrNull(m["start_time"]),
    stopTime: numberOrNull(m["stop_time"]),
    stopReason: typeof m["stop_reason"] === "string" ? m["stop_reason"] : null,
    schedulerAddress: `${base.replace(/^http/, "ws")}${tunnel}`,
    dashboardLink: route === null ? null : `${base}${route}`,
    security:
      typeof cert === "string" && typeof key === "string" && cert && key
        ? { tlsCert: cert, tlsKey: key, headers: { Authorization: gateway.authorization } }
        : null,
    workers: workersOf(m["workers"]),
    adapt: adaptOf(m["adapt"]),
    leaseTtl: numberOrNull(m["lease_ttl"]),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function numberOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function workersOf(v: unknown): ClusterReport["workers"] {
  if (!isRecord(v)) return null;
  return {
    target: numberOrNull(v["target"]) ?? 0,
    running: numberOrNull(v["running"]) ?? 0,
    pending: numberOrNull(v["pending"]) ?? 0,
  };
}

function adaptOf(v: unknown): ClusterReport["adapt"] {
  if (!isRecord(v)) return null;
  return {
    minimum: numberOrNull(v["minimum"]) ?? 0,
    maximum: numberOrNull(v["maximum"]) ?? 0,
    active: v["active"] !== false,
  };
}
