import type { SchedulerServer } from "./scheduler-server.ts";
import { AdaptiveTarget } from "./adaptive.ts";

export interface GatewayLinkOptions {
  readonly apiUrl: string;
  readonly token: string;
  readonly clusterName: string;
  readonly dashboardAddress: string;
  /** @default FLOWGATE_HEARTBEAT_PERIOD_MS or 5000 */
  readonly heartbeatMs?: number;
  /** @default FLOWGATE_ADAPTIVE_PERIOD_MS or 1000 */
  readonly adaptiveMs?: number;
}

/**
 * Gateway mode (CONTRACTS.md): heartbeats the scheduler's addresses, wanted worker count and
 * worker sets to the gateway, and applies scale/adapt requests from POST /api/comm.
 */
export class GatewayLink {
  private count = 0;
  private adaptive: AdaptiveTarget | undefined;
  /** Worker names in the last heartbeat: those gone since are its `closed_workers`. */
  private reported = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private lastSig = "";

  constructor(
    private readonly s: SchedulerServer,
    private readonly o: GatewayLinkOptions,
  ) {}

  start(): void {
    const hb = this.o.heartbeatMs ?? Number(process.env.FLOWGATE_HEARTBEAT_PERIOD_MS ?? 5000);
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
    this.count = this.adaptive.update(core.queued + core.processing, core.avgMs, slots || 1);
    if (before !== this.count) this.changed();
  }

  private changed(): void {
    const sig = `${this.count}|${[...this.s.core.workers.values()].map((w) => w.name).join(",")}`;
    if (sig !== this.lastSig) void this.beat();
  }

  private async beat(): Promise<void> {
    const workers = [...this.s.core.workers.values()];
    this.lastSig = `${this.count}|${workers.map((w) => w.name).join(",")}`;
    const body = {
      scheduler_address: this.s.address,
      dashboard_address: this.o.dashboardAddress,
      api_address: this.o.dashboardAddress,
      count: this.count,
      active_workers: workers.filter((w) => !w.closing).map((w) => w.name),
      closing_workers: workers.filter((w) => w.closing).map((w) => w.name),
      closed_workers: [...this.reported].filter((n) => !workers.some((w) => w.name === n)),
    };
    this.reported = new Set(workers.map((w) => w.name));
    try {
      await fetch(`${this.o.apiUrl}/v1/clusters/${this.o.clusterName}/heartbeat`, {
        method: "POST",
        headers: { authorization: `token ${this.o.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    } catch (e) {
      process.stderr.write(
        `gateway heartbeat failed: ${e instanceof Error ? e.message : String(e)}\n`,
      );
    }
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
  }
}
