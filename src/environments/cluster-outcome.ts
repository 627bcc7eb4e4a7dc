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
 * What the run cost on the cluster, from its scheduler's metrics (read through the gateway's
 * dashboard route): seconds workers were connected, and seconds task runs took. Each is null
 * when the metrics cannot be read.
 */
export async function clusterCost(
  cluster: GatewayCluster,
): Promise<{ workerSeconds: number | null; taskSeconds: number | null }> {
  const url = cluster.dashboardLink.replace(/\/status$/, "/metrics");
  try {
    const res = await fetch(url, { headers: { ...cluster.security.headers } });
    if (!res.ok) return { workerSeconds: null, taskSeconds: null };
    const text = await res.text();
    return {
      workerSeconds: metric(text, "flowgate_scheduler_worker_seconds_total"),
      taskSeconds: metric(text, "flowgate_scheduler_task_duration_seconds_sum"),
    };
  } catch {
    return { workerSeconds: null, taskSeconds: null };
  }
}

function metric(text: string, name: string): number | null {
  const m = new RegExp(`^${name}(?:\\{\\})? (\\S+)$`, "m").exec(text);
  return m ? Number(m[1]) : null;
}
