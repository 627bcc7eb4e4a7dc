import type { ClusterRecord, WorkerRecord } from "./cluster-record.ts";
import { isFinal, JobStatus, publicStatus } from "./cluster-record.ts";

/**
 * The keys of Dask Gateway's cluster model, exactly. The Python client builds
 * `ClusterReport(**msg)` from the model after popping name, dashboard_route, status, start_time
 * and stop_time, so any key beyond options, tls_cert and tls_key makes it raise a TypeError.
 */
export const DASK_CLUSTER_KEYS = [
  "name",
  "dashboard_route",
  "status",
  "start_time",
  "stop_time",
  "options",
  "tls_cert",
  "tls_key",
] as const;

/** flowgate's extension keys, served only with `?extended=true` (CONTRACTS.md). */
export const EXTENDED_CLUSTER_KEYS = [
  "user",
  "stop_reason",
  "scheduler_address",
  "dashboard_address",
  "tunnel_path",
  "workers",
  "adapt",
  "lease_ttl",
] as const;

/** The cluster model every Dask Gateway client understands (the default of the REST API). */
export function daskClusterModel(c: ClusterRecord): Record<string, unknown> {
  const status = publicStatus(c);
  const running = status === "RUNNING";
  return {
    name: c.name,
    dashboard_route: running && c.dashboardAddress ? `/clusters/${c.name}/status` : null,
    status,
    start_time: c.startTime,
    stop_time: c.stopTime,
    options: c.options,
    tls_cert: running ? c.tlsCert : null,
    tls_key: running ? c.tlsKey : null,
  };
}

/** The Dask Gateway model plus flowgate's extensions (`?extended=true`). */
export function extendedClusterModel(
  c: ClusterRecord,
  workers: Iterable<WorkerRecord>,
): Record<string, unknown> {
  const running = publicStatus(c) === "RUNNING";
  let wRunning = 0;
  let wPending = 0;
  for (const w of workers) {
    if (w.target !== JobStatus.RUNNING || isFinal(w.status)) continue;
    if (w.status === JobStatus.RUNNING) wRunning++;
    else wPending++;
  }
  return {
    ...daskClusterModel(c),
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
