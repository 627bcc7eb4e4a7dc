import type { Logger } from "pino";
import type { Backend } from "./backends/backend.ts";
import type { ClusterRecord } from "./cluster-record.ts";
import { isFinal, JobStatus } from "./cluster-record.ts";
import type { ClusterReconciler } from "./cluster-reconciler.ts";
import type { ClusterRegistry } from "./cluster-registry.ts";
import type { ResolvedGatewayConfig } from "./gateway-options.ts";

const secs = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * Periodically applies the lifecycle rules: start timeouts, heartbeat timeout, idle timeout,
 * maximum lifetime, client lease, and process liveness (a scheduler or worker that died).
 * It only decides: every action is a target written through the reconciler.
 */
export class LifecycleMonitor {
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #again = false;

  constructor(
    private readonly reg: ClusterRegistry,
    private readonly backend: Backend,
    private readonly rec: ClusterReconciler,
    private readonly cfg: ResolvedGatewayConfig,
    private readonly log: Logger,
    private readonly exitCode: (state: Record<string, unknown>) => number | string | undefined,
  ) {}

  start(): void {
    this.#timer = setInterval(() => this.poke(), this.cfg.checkPeriodMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Runs a check now (also called when a local process exits). */
  poke(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    this.check()
      .catch((e) => this.log.error({ err: e }, "Lifecycle check failed"))
      .finally(() => {
        this.#running = false;
        if (this.#again) {
          this.#again = false;
          this.poke();
        }
      });
  }

  async check(): Promise<void> {
    const now = Date.now();
    const live: ClusterRecord[] = [];
    for (const c of this.reg.clusters.values()) {
      if (isFinal(c.status) || c.target !== JobStatus.RUNNING) continue;
      const reason = this.#timeoutReason(c, now);
      if (reason)
        this.rec.requestStop(c, reason.failed ? JobStatus.FAILED : JobStatus.STOPPED, reason.text);
      else if (c.status >= JobStatus.SUBMITTED) live.push(c);
    }
    const alive = await this.backend.checkClusters(live);
    for (const [i, c] of live.entries()) {
      if (alive[i] || c.target !== JobStatus.RUNNING) continue;
      const code = this.exitCode(c.state);
      const when = c.status === JobStatus.RUNNING ? "after connecting" : "before connecting";
      this.rec.requestStop(
        c,
        JobStatus.FAILED,
        `scheduler exited ${when}${code !== undefined ? ` (exit ${code})` : ""}; see GET /api/v1/clusters/${c.name}/logs`,
      );
    }
    for (const c of live) if (c.target === JobStatus.RUNNING) await this.#checkWorkers(c, now);
  }

  #timeoutReason(c: ClusterRecord, now: number): { text: string; failed: boolean } | undefined {
    const cfg = this.cfg;
    if (c.status < JobStatus.RUNNING && now - c.startTime > cfg.clusterStartTimeoutMs) {
      return {
        text: `scheduler did not connect within ${secs(cfg.clusterStartTimeoutMs)} (cluster start timeout)`,
        failed: true,
      };
    }
    if (c.status === JobStatus.RUNNING && now - c.lastHeartbeat > cfg.heartbeatTimeoutMs) {
      return {
        text: `no heartbeat from the scheduler for ${secs(now - c.lastHeartbeat)} (heartbeat timeout ${secs(cfg.heartbeatTimeoutMs)})`,
        failed: true,
      };
    }
    if (c.leaseTtl !== null && now - c.lastLease > c.leaseTtl * 1000)
      return { text: "client lease expired", failed: false };
    if (cfg.maxLifetimeMs > 0 && now - c.startTime > cfg.maxLifetimeMs)
      return { text: `maximum lifetime of ${secs(cfg.maxLifetimeMs)} reached`, failed: false };
    if (
      cfg.idleTimeoutMs > 0 &&
      c.status === JobStatus.RUNNING &&
      now - c.lastActivity > cfg.idleTimeoutMs
    ) {
      return {
        text: `idle for ${secs(now - c.lastActivity)} (idle timeout ${secs(cfg.idleTimeoutMs)})`,
        failed: false,
      };
    }
    return undefined;
  }

  async #checkWorkers(c: ClusterRecord, now: number): Promise<void> {
    const ws = this.reg
      .workers(c.name)
      .filter((w) => w.status === JobStatus.SUBMITTED || w.status === JobStatus.RUNNING);
    if (ws.length === 0) return;
    const alive = await this.backend.checkWorkers(c, ws);
    for (const [i, w] of ws.entries()) {
      if (isFinal(w.status) || w.target !== JobStatus.RUNNING) continue;
      const pending = w.status === JobStatus.SUBMITTED;
      if (!alive[i]) {
        const code = this.exitCode(w.state);
        if (w.closeExpected || (code === 0 && !pending)) {
          this.reg.updateWorker(w, { target: JobStatus.STOPPED });
          this.rec.enqueueWorker(w);
          this.rec.enqueueCluster(c.name);
        } else {
          this.rec.workerFailed(
            c,
            w,
            `worker exited${code !== undefined ? ` with ${code}` : ""} ${pending ? "before connecting" : "after connecting"}`,
            pending,
          );
        }
      } else if (pending && now - (w.submittedAt ?? w.startTime) > this.cfg.workerStartTimeoutMs) {
        this.rec.workerFailed(
          c,
          w,
          `worker did not connect within ${secs(this.cfg.workerStartTimeoutMs)} (worker start timeout)`,
          true,
        );
      }
    }
  }
}
