import { clusterStatuses, isFinal, JobStatus, publicStatus } from "../cluster-record.ts";
import type { ClusterRegistry } from "../cluster-registry.ts";
import { PrometheusText } from "../../../common/index.ts";

/** The gateway's /metrics body: clusters by status and workers by state, over all users. */
export function gatewayMetrics(reg: ClusterRegistry): string {
  const byStatus = Object.fromEntries(clusterStatuses.map((s) => [s, 0])) as Record<string, number>;
  const workers = { running: 0, pending: 0 };
  let wanted = 0;
  for (const c of reg.clusters.values()) {
    byStatus[publicStatus(c)]!++;
    if (isFinal(c.status)) continue;
    wanted += c.count;
    for (const w of reg.workers(c.name)) {
      if (w.target !== JobStatus.RUNNING || isFinal(w.status)) continue;
      if (w.status === JobStatus.RUNNING) workers.running++;
      else workers.pending++;
    }
  }
  const p = new PrometheusText();
  p.family("flowgate_gateway_clusters", "gauge", "Clusters the gateway knows, by status.");
  for (const [status, n] of Object.entries(byStatus))
    p.sample("flowgate_gateway_clusters", n, { status });
  p.family("flowgate_gateway_workers", "gauge", "Workers of active clusters, by state.");
  for (const [state, n] of Object.entries(workers))
    p.sample("flowgate_gateway_workers", n, { state });
  p.family(
    "flowgate_gateway_workers_wanted",
    "gauge",
    "Workers the active clusters want in total.",
  );
  p.sample("flowgate_gateway_workers_wanted", wanted);
  return p.toString();
}
