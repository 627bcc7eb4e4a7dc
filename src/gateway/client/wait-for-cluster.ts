import { setTimeout as sleep } from "node:timers/promises";
import { toClusterReport, type ClusterReport } from "./cluster-report.ts";
import { clusterPath, EXTENDED } from "./cluster-paths.ts";
import { ClusterFailedError, ClusterStartTimeoutError, GatewayTimeoutError } from "./errors.ts";
import { LONG_POLL_MS, type GatewayHttp } from "./gateway-http.ts";

/** Lines of the cluster's log quoted in ClusterFailedError. */
const LOG_TAIL_LINES = 30;

/**
 * Long-polls `GET /api/v1/clusters/{name}?wait` until the cluster is RUNNING and returns it.
 * Throws ClusterFailedError (with the stop reason and the log's tail) when it is FAILED, STOPPING
 * or STOPPED, and ClusterStartTimeoutError (`stopped` false) after timeoutMs.
 */
export async function waitForCluster(
  http: GatewayHttp,
  name: string,
  timeoutMs: number,
): Promise<ClusterReport> {
  const deadline = Date.now() + timeoutMs;
  const what = `wait for cluster "${name}" to start`;
  let pause = 50;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new ClusterStartTimeoutError(http.address, name, timeoutMs, false);
    const pollTimeout = http.fetchTimeout + LONG_POLL_MS;
    const started = Date.now();
    let model: unknown;
    try {
      model = await http.json({
        method: "GET",
        path: clusterPath(name),
        query: { wait: "", ...EXTENDED },
        what,
        clusterName: name,
        timeoutMs: Math.min(pollTimeout, remaining),
      });
    } catch (e) {
      if (e instanceof GatewayTimeoutError && remaining < pollTimeout) continue; // deadline reached
      throw e;
    }
    const report = toClusterReport(
      model,
      { address: http.address, authorization: http.auth.authorization() },
      what,
    );
    if (report.status === "RUNNING") return report;
    if (report.status !== "PENDING")
      throw new ClusterFailedError(
        http.address,
        name,
        report.status,
        report.stopReason,
        await logTail(http, name),
      );
    // A gateway that answers at once (no long poll) is polled with a growing pause.
    if (Date.now() - started < 250) {
      await sleep(Math.min(pause, Math.max(0, deadline - Date.now())));
      pause = Math.min(pause * 2, 500);
    }
  }
}

/** The last lines of the cluster's log, or "" when the gateway cannot serve it. */
export async function logTail(http: GatewayHttp, name: string): Promise<string> {
  try {
    const text = await http.text({
      method: "GET",
      path: clusterPath(name, "/logs"),
      what: `read the log of cluster "${name}"`,
      clusterName: name,
    });
    return text.trimEnd().split("\n").slice(-LOG_TAIL_LINES).join("\n");
  } catch {
    return "";
  }
}
