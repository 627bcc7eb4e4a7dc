import type { GatewayCluster } from "../gateway/client/index.ts";
import type { LogLevel } from "../graph/log-record.ts";

/** Logs the cluster's worker count whenever it changes, until the returned function is called. */
export function watchScaling(
  cluster: GatewayCluster,
  log: (level: LogLevel, message: string) => void,
  periodMs = 250,
): () => void {
  let last = "";
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    cluster
      .workerCounts()
      .then((w) => {
        const now = `${w.running} running, ${w.pending} starting, target ${w.target}`;
        if (now !== last) log("INFO", `Cluster ${cluster.name} workers: ${now}`);
        last = now;
      })
      .catch(() => {})
      .finally(() => (busy = false));
  }, periodMs);
  timer.unref();
  return () => clearInterval(timer);
}
