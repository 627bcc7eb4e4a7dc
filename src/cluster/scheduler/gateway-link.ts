import type { SchedulerServer } from "./scheduler-server.ts";
import { AdaptiveTarget } from "./adaptive.ts";

export interface GatewayLinkOptions {
  readonly apiUrl: string;
  readonly token: string;
  readonly clusterName: string;
  /** The address heartbeats report. @default the scheduler server's own */
  readonly schedulerAddress?: string;
  readonly dashboardAddress: string;
  /** @default FLOWGATE_HEARTBEAT_PERIOD_MS or 5000 */
  readonly heartbeatMs?: number;
  /** @default FLOWGATE_ADAPTIVE_PERIOD_MS or 1000 */
  readonly adaptiveMs?: number;
  /**
   * How long the gateway may stay unreachable (or failing) before the scheduler gives up on it.
   * @default FLOWGATE_ORPHAN_TIMEOUT_MS or 600000 (10 min)
   */
  readonly orphanTimeoutMs?: number;
  /**
   * Called once when the cluster is orphaned: the gateway answered 401/403/404 for it (it was
   * forgotten, or its token is no longer valid) or was unreachable for longer than
   * orphanTimeoutMs. The scheduler process then stops itself and its workers.
   */
  readonly onOrphaned?: (why: string) => void;
}

/** Answers meaning the gateway no longer owns this cluster. */
const disowned = new Set([401, 403, 404]);

/**
 * Gateway mode (CONTRACTS.md): heartbeats the scheduler's addresses, wanted worker count and
 * worker sets to the gateway, and applies scale/adapt requests from POST /api/comm. A cluster
 * the gateway disowns or that loses its gateway for too long is reported through onOrphaned,
 * so no scheduler outlives the gateway that should manage it.
 */
export class GatewayLink {
  private count = 0;
  private adaptive: AdaptiveTarget | undefined;
  /** Worker names in the last heartbeat: those gone since are its `closed_workers`. */
  private reported = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private lastSig = "";
  private lastOk = Date.now();
  private heartbeatMs = 5000;
  private orphaned = false;

  constructor(
    private readonly s: SchedulerServer,
    private readonly o: GatewayLinkOptions,
  ) {}

  start(): void {
    const hb = this.o.heartbeatMs ?? Number(process.env.FLOWGATE_HEARTBEAT_PERIOD_MS ?? 5000);
    this.heartbeatMs = hb;
    const ad = this.o.adaptiveMs ?? Number(process.env.FLOWGATE_ADAPTIVE_PERIOD_MS ?? 1000);
    void this.beat();
    this.timers.push(setInterval(() => void this.beat(), hb));
    this.timers.push(setInterval(() => this.adapt(), ad));
    const prev = this.s.onWorkersChanged;
    this.s.onWorkersChanged = () => {
      prev();
      this.changed();
    };
  }

  /** Handles a POST /api/comm body. */
  comm(body: Record<string, unknown>): void {
    if (body.op === "scale") {
      this.adaptive = undefined;
      this.count = Number(body.count);
    } else if (body.op === "adapt") {
      if (body.active === false) this.adaptive = undefined;
      else
        this.adaptive = new AdaptiveTarget(
          Number(body.minimum ?? 0),
          Number(body.maximum ?? Infinity),
        );
      this.adapt();
    } else throw new Error(`unknown op ${JSON.stringify(body.op)}; use "scale" or "adapt"`);
    this.changed();
  }

  private adapt(): void {
    if (!this.adaptive) return;
    const core = this.s.core;
    const slots =
      [...core.workers.values()].reduce((a, w) => a + w.slots, 0) / Math.max(1, core.workers.size);
    const before = this.count;
    this.count = this.adaptive.update(core.queue.size + core.processing, core.avgMs, slots || 1);
    if (before !== this.count) this.changed();
  }

  private changed(): void {
    const sig = `${this.count}|${[...this.s.core.workers.values()].map((w) => w.name).join(",")}`;
    if (sig !== this.lastSig) void this.beat();
  }

  private orphan(why: string): void {
    if (this.orphaned) return;
    this.orphaned = true;
    this.stop();
    this.o.onOrphaned?.(why);
  }

  /** The orphan timeout, but never less than three heartbeat periods (one lost beat is normal). */
  private orphanTimeoutMs(): number {
    const ms = this.o.orphanTimeoutMs ?? Number(process.env.FLOWGATE_ORPHAN_TIMEOUT_MS ?? 600_000);
    return Math.max(Number.isFinite(ms) && ms > 0 ? ms : 600_000, 3 * this.heartbeatMs);
  }

  /** After a failed heartbeat: orphaned once the gateway has failed for longer than the timeout. */
  private failed(why: string): void {
    process.stderr.write(`gateway heartbeat failed: ${why}\n`);
    const limit = this.orphanTimeoutMs();
    const silent = Date.now() - this.lastOk;
    if (silent > limit)
      this.orphan(
        `the gateway at ${this.o.apiUrl} has not accepted a heartbeat for ${Math.round(silent / 1000)} s (orphan timeout ${limit / 1000} s); last error: ${why}`,
      );
  }

  private async beat(): Promise<void> {
    if (this.orphaned) return;
    const workers = [...this.s.core.workers.values()];
    this.lastSig = `${this.count}|${workers.map((w) => w.name).join(",")}`;
    const body = {
      scheduler_address: this.o.schedulerAddress ?? this.s.address,
      dashboard_address: this.o.dashboardAddress,
      api_address: this.o.dashboardAddress,
      count: this.count,
      active_workers: workers.filter((w) => !w.closing).map((w) => w.name),
      closing_workers: workers.filter((w) => w.closing).map((w) => w.name),
      closed_workers: [...this.reported].filter((n) => !workers.some((w) => w.name === n)),
    };
    this.reported = new Set(workers.map((w) => w.name));
    try {
      const res = await fetch(`${this.o.apiUrl}/v1/clusters/${this.o.clusterName}/heartbeat`, {
        method: "POST",
        headers: { authorization: `token ${this.o.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(Math.min(this.orphanTimeoutMs(), 30_000)),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) this.lastOk = Date.now();
      else if (disowned.has(res.status))
        this.orphan(
          `the gateway answered ${res.status} to the heartbeat of cluster ${this.o.clusterName}: it no longer manages this cluster`,
        );
      else this.failed(`HTTP ${res.status}`);
    } catch (e) {
      this.failed(e instanceof Error ? e.message : String(e));
    }
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
  }
}
