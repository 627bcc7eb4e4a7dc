import type { GatewayCluster } from "../gateway/client/index.ts";
import { ClusterFailedError } from "./errors.ts";

/**
 * The error a run on `cluster` ends with when its execution threw `error`: ClusterFailedError
 * with the gateway's stop reason when the cluster itself failed, else `error` unchanged.
 */
export async function failedClusterError(
  cluster: GatewayCluster,
  error: unknown,
): Promise<unknown> {
  const report = await cluster.refresh().catch(() => undefined);
  if (report?.status !== "FAILED") return error;
  return new ClusterFailedError(cluster.name, report.stopReason ?? "no reason given", error);
}

/**
 * Seconds task runs took on the cluster's workers (its scheduler's task duration sum, read
 * through the gateway's dashboard route); null when the metrics cannot be read.
 */
export async function taskSeconds(cluster: GatewayCluster): Promise<number | null> {
  const url = cluster.dashboardLink.replace(/\/status$/, "/metrics");
  try {
    const res = await fetch(url, { headers: { ...cluster.security.headers } });
    if (!res.ok) return null;
    const m = /^flowgate_scheduler_task_duration_seconds_sum(?:\{\})? (\S+)$/m.exec(
      await res.text(),
    );
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
