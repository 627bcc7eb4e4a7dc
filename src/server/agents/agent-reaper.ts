import type { RunCluster } from "../api/index.ts";
import type { RunService, ServerLog } from "../runs/run-service.ts";
import type { ClusterStopper } from "../runs/cluster-stopper.ts";
import type { Store } from "../store/store.ts";

/**
 * The server's watch over runs in flight (nothing stuck, nothing orphaned):
 * - an agent silent for `timeoutMs` is declared gone (once, across server processes) and each
 *   run it held becomes Crashed with the reason; RunService then stops the run's cluster;
 * - a run whose cluster the gateway reports FAILED becomes Crashed with the gateway's stop
 *   reason (STOPPED counts too when seen twice in a row while the run stays active, so a run that
 *   stops its cluster just before reporting Success is not misread).
 */
export class AgentReaper {
  #timer: NodeJS.Timeout | null = null;
  #clusterTimer: NodeJS.Timeout | null = null;
  #stoppedSeen = new Map<number, number>();
  #busy = false;

  constructor(
    private readonly store: Store,
    private readonly runs: RunService,
    private readonly stopper: ClusterStopper,
    private readonly timeoutMs: number,
    private readonly clusterCheckMs: number,
    private readonly log: ServerLog,
  ) {}

  start(): void {
    const period = Math.max(50, Math.min(1000, this.timeoutMs / 4));
    this.#timer = setInterval(() => void this.sweep(), period);
    this.#clusterTimer = setInterval(() => void this.checkClusters(), this.clusterCheckMs);
  }

  /** Crashes the runs of agents silent for too long. */
  async sweep(now = Date.now()): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (const a of await this.store.agents.silent(now - this.timeoutMs)) {
        if (!(await this.store.agents.markGone(a.id))) continue;
        const silentS = ((now - a.last_seen_at) / 1000).toFixed(1);
        const active = await this.store.runs.activeOf(a.id);
        if (active.length)
          this.log(
            "warn",
            `Agent ${a.name} (id ${a.id}) silent for ${silentS} s: crashing its runs ${active.map((r) => r.id).join(", ")}…`,
          );
        for (const r of active) {
          const reason = `agent ${a.name} (id ${a.id}) sent no heartbeat for ${silentS} s (timeout ${this.timeoutMs / 1000} s); its run was lost`;
          await this.runs.transition(r.id, "Crashed", { reason }, now).catch(() => {});
        }
      }
      await this.store.agents.prune(now - 24 * 3600_000);
    } catch (e) {
      this.log("warn", `agent sweep failed: ${(e as Error).message}`);
    } finally {
      this.#busy = false;
    }
  }

  /** Asks the gateway about the clusters of active runs. */
  async checkClusters(): Promise<void> {
    const active = await this.store.runs.activeWithCluster().catch(() => []);
    const seen = new Set<number>();
    for (const r of active) {
      const c = JSON.parse(r.cluster!) as RunCluster;
      if (!c.gateway) continue;
      seen.add(r.id);
      const report = await this.stopper.status(c);
      if (!report) continue;
      const dead =
        report.status === "FAILED" || (report.status === "STOPPED" && this.#stoppedSeen.has(r.id));
      if (report.status === "STOPPED") this.#stoppedSeen.set(r.id, Date.now());
      if (!dead) continue;
      const why = report.stopReason ?? "no reason given";
      await this.store.runs.setJson(
        r.id,
        "cluster",
        { ...c, status: report.status, stopReason: why },
        Date.now(),
      );
      await this.runs
        .transition(r.id, "Crashed", { reason: `cluster ${c.name} is ${report.status}: ${why}` })
        .catch(() => {});
    }
    for (const id of this.#stoppedSeen.keys()) if (!seen.has(id)) this.#stoppedSeen.delete(id);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#clusterTimer) clearInterval(this.#clusterTimer);
  }
}
