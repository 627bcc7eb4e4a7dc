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
