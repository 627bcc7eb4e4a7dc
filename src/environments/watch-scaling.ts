import type { GatewayCluster } from "../gateway/client/index.ts";
import type { LogLevel } from "../graph/index.ts";

/** A running watch of a cluster's workers. */
export interface ScalingWatch {
  /** Seconds of running workers seen so far (worker count × time between samples). */
  workerSeconds(): number;
  stop(): void;
}

/**
 * Logs the cluster's worker count whenever it changes and adds up running workers over time,
 * until `stop()` is called.
 */
export function watchScaling(
  cluster: GatewayCluster,
  log: (level: LogLevel, message: string) => void,
  periodMs = 250,
): ScalingWatch {
  let last = "";
  let busy = false;
  let running = 0;
  let since = Date.now();
  let total = 0;
  const add = (now: number) => {
    total += (running * (now - since)) / 1000;
    since = now;
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    cluster
      .workerCounts()
      .then((w) => {
        add(Date.now());
        running = w.running;
        const now = `${w.running} running, ${w.pending} starting, target ${w.target}`;
        if (now !== last) log("INFO", `Cluster ${cluster.name} workers: ${now}`);
        last = now;
      })
      .catch(() => {})
      .finally(() => (busy = false));
  }, periodMs);
  timer.unref();
  return {
    workerSeconds() {
      add(Date.now());
      return Math.round(total * 1000) / 1000;
    },
    stop: () => clearInterval(timer),
  };
}
