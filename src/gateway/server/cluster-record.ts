import type { ClusterConfig } from "./cluster-options.ts";

/** Internal status of clusters and workers, ordered: a record only moves forward. */
export const JobStatus = {
  CREATED: 1,
  SUBMITTED: 2,
  RUNNING: 3,
  CLOSING: 4,
  STOPPED: 5,
  FAILED: 6,
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/** Public status, as Dask Gateway spells it. */
export type ClusterStatus = "PENDING" | "RUNNING" | "STOPPING" | "STOPPED" | "FAILED";
export const clusterStatuses: readonly ClusterStatus[] = [
  "PENDING",
  "RUNNING",
  "STOPPING",
  "STOPPED",
  "FAILED",
];

export const isFinal = (s: JobStatus): boolean => s >= JobStatus.STOPPED;

/** Adaptive-scaling settings last sent to the scheduler. */
export interface AdaptSettings {
  minimum: number;
  maximum: number;
  active: boolean;
}

/** A cluster row: what the store persists and the reconciler converges. */
export interface ClusterRecord {
  name: string;
  user: string;
  status: JobStatus;
  target: JobStatus;
  /** Workers wanted. */
  count: number;
  adapt: AdaptSettings | null;
  options: Record<string, unknown>;
  config: ClusterConfig;
  /** Last checkpoint yielded by the backend's start hook. */
  state: Record<string, unknown>;
  token: string;
  tlsCert: string;
  tlsKey: string;
  schedulerAddress: string | null;
  dashboardAddress: string | null;
  apiAddress: string | null;
  startTime: number;
  stopTime: number | null;
  stopReason: string | null;
  leaseTtl: number | null;
  shutdownOnClose: boolean;
  lastLease: number;
  lastHeartbeat: number;
  lastActivity: number;
  submittedAt: number | null;
  workerFailures: number;
  /** Changed on every update; invalidates the cached JSON. */
  version: number;
}

/** A worker row of a cluster. */
export interface WorkerRecord {
  name: string;
  cluster: string;
  status: JobStatus;
  target: JobStatus;
  state: Record<string, unknown>;
  startTime: number;
  submittedAt: number | null;
  stopTime: number | null;
  closeExpected: boolean;
}

/** Maps (status, target) to the public status, as Dask Gateway's `_status_map`. */
export function publicStatus(c: Pick<ClusterRecord, "status" | "target">): ClusterStatus {
  if (c.status === JobStatus.STOPPED && c.target === JobStatus.STOPPED) return "STOPPED";
  if (c.status === JobStatus.FAILED) return "FAILED";
  if (c.status === JobStatus.STOPPED) return c.target === JobStatus.FAILED ? "FAILED" : "STOPPED";
  if (c.target >= JobStatus.CLOSING) return "STOPPING";
  if (c.status === JobStatus.RUNNING) return "RUNNING";
  return "PENDING";
}

/** The cluster model served by the REST API (Dask Gateway keys + flowgate extensions). */
export function clusterModel(
  c: ClusterRecord,
  workers: Iterable<WorkerRecord>,
): Record<string, unknown> {
  const status = publicStatus(c);
  const running = status === "RUNNING";
  let wRunning = 0;
  let wPending = 0;
  for (const w of workers) {
    if (w.target !== JobStatus.RUNNING || isFinal(w.status)) continue;
    if (w.status === JobStatus.RUNNING) wRunning++;
    else wPending++;
  }
  return {
    name: c.name,
    status,
    dashboard_route: running && c.dashboardAddress ? `/clusters/${c.name}/status` : null,
    start_time: c.startTime,
    stop_time: c.stopTime,
    options: c.options,
    tls_cert: running ? c.tlsCert : null,
    tls_key: running ? c.tlsKey : null,
    user: c.user,
    stop_reason: c.stopReason,
    scheduler_address: running ? c.schedulerAddress : null,
    dashboard_address: running ? c.dashboardAddress : null,
    tunnel_path: `/clusters/${c.name}/scheduler`,
    workers: { target: c.count, running: wRunning, pending: wPending },
    adapt: c.adapt,
    lease_ttl: c.leaseTtl,
  };
}
