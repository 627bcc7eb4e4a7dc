import { isFinal, JobStatus } from "./cluster-record.ts";
import type { GatewayContext } from "./gateway-context.ts";

/**
 * After a restart: loads every row, adopts clusters whose scheduler process still lives,
 * fails (and so cleans up) those whose process is gone, and re-queues everything unfinished.
 */
export async function recoverClusters(ctx: GatewayContext): Promise<void> {
  const { reg, rec, backend, log } = ctx;
  reg.load();
  const now = Date.now();
  for (const c of reg.clusters.values()) {
    if (isFinal(c.status)) continue;
    c.lastHeartbeat = now;
    c.lastActivity = now;
    c.lastLease = now;
    if (c.status === JobStatus.CREATED && typeof c.state.pid === "number")
      reg.update(c, { status: JobStatus.SUBMITTED, submittedAt: now });
    if (c.status === JobStatus.SUBMITTED || c.status === JobStatus.RUNNING) {
      const [alive] = await backend.checkClusters([c]);
      if (alive) log.info({ cluster: c.name }, `Adopted cluster ${c.name} after a restart`);
      else
        rec.requestStop(
          c,
          JobStatus.FAILED,
          "scheduler process was gone when the gateway restarted",
        );
    }
    const workers = reg.workers(c.name).filter((w) => !isFinal(w.status));
    const alive = await backend.checkWorkers(c, workers);
    for (const [i, w] of workers.entries()) {
      if (!alive[i] && w.status !== JobStatus.CREATED && w.target === JobStatus.RUNNING) {
        reg.updateWorker(w, { target: JobStatus.FAILED });
      }
      rec.enqueueWorker(w);
    }
    rec.enqueueCluster(c.name);
  }
}
