import type { ClaimResponse } from "../api/index.ts";
import type { EventHub } from "../events/event-hub.ts";
import { blockedBy, labelsCover, SlotCounts } from "../limits/limit-check.ts";
import type { RunService } from "../runs/run-service.ts";
import { toRun, toVersion, type AgentRow, type RunRow, type VersionRow } from "../store/rows.ts";
import type { Store } from "../store/store.ts";

/**
 * Hands ready runs to agents. A claim runs in one transaction under the "claim" lock (across
 * server processes): it reads the runs whose time has come, skips those whose labels the agent
 * lacks, parks those a concurrency limit holds as Queued (with the reason), and moves the rest
 * to Submitted with a compare-and-set on the state — so each run goes to exactly one agent.
 * With nothing to hand out, the call waits (long poll) until runs become ready, a run of the
 * agent is cancelled, the next scheduled start comes, or `waitMs` passes.
 */
export class ClaimService {
  constructor(
    private readonly store: Store,
    private readonly hub: EventHub,
    private readonly runs: RunService,
    /** a waiting agent counts as seen at least this often (its open long poll is its heartbeat) */
    private readonly seenEveryMs: number,
  ) {}

  readonly #closing = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();

  /**
   * Ends every parked long poll (each answers with what it has: nothing) and waits until no
   * claim touches the store any more — call before closing the store.
   */
  async close(): Promise<void> {
    this.#closing.abort();
    while (this.#inFlight.size) await Promise.allSettled([...this.#inFlight]);
  }

  async claim(
    agent: AgentRow,
    admin: boolean,
    max: number,
    waitMs: number,
    signal: AbortSignal,
  ): Promise<ClaimResponse> {
    if (this.#closing.signal.aborted) return { runs: [], cancel: [] };
    const both = AbortSignal.any([signal, this.#closing.signal]);
    const p = this.#claim(agent, admin, max, waitMs, both);
    this.#inFlight.add(p);
    try {
      return await p;
    } finally {
      this.#inFlight.delete(p);
    }
  }

  async #claim(
    agent: AgentRow,
    admin: boolean,
    max: number,
    waitMs: number,
    signal: AbortSignal,
  ): Promise<ClaimResponse> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (this.#closing.signal.aborted) return { runs: [], cancel: [] };
      // A gone agent (it left, or was expired) gets nothing, also from a poll it left open.
      if (!(await this.store.agents.seen(agent.id, Date.now()))) return { runs: [], cancel: [] };
      const cancel = await this.store.agents.cancellingRunIds(agent.id);
      const claimed = await this.#tryClaim(agent, admin, max);
      if (claimed.length || cancel.length || Date.now() >= deadline || signal.aborted) {
        const runs = await Promise.all(claimed.map((r) => this.#withFlow(r)));
        return { runs, cancel };
      }
      await this.#waitForWork(deadline, signal);
    }
  }

  async #withFlow(r: RunRow) {
    const v = await this.store.db.get<VersionRow>(
      "SELECT * FROM flow_versions WHERE flow_id = ? AND version = ?",
      [r.flow_id, r.version],
    );
    return { run: toRun(r), flow: toVersion(v!) };
  }

  async #tryClaim(agent: AgentRow, admin: boolean, max: number): Promise<RunRow[]> {
    const agentLabels = JSON.parse(agent.labels) as string[];
    const now = Date.now();
    const changes: { run: RunRow; previous: RunRow["state"] }[] = [];
    await this.store.db.transaction(async (tx) => {
      // Under the claim lock: an agent that left after its poll began must not take runs.
      const live = await tx.get<{ gone: number }>("SELECT gone FROM agents WHERE id = ?", [
        agent.id,
      ]);
      if (!live || Number(live.gone) !== 0) return;
      const ready = await this.store.runs.ready(tx, now, admin ? null : agent.user_name, 500);
      const fit = ready.filter((r) => labelsCover(agentLabels, JSON.parse(r.labels) as string[]));
      if (fit.length === 0) return;
      const limits = await this.store.agents.limits(tx);
      const counts = limits.length
        ? SlotCounts.of(await this.store.runs.slotHolders(tx))
        : new SlotCounts();
      let taken = 0;
      for (const r of fit) {
        if (taken >= max) break;
        const labels = JSON.parse(r.labels) as string[];
        const reason = limits.length
          ? blockedBy(r.flow_id, r.flow_name, labels, limits, counts)
          : null;
        if (reason) {
          if (r.state !== "Queued" || r.state_reason !== reason) {
            const d = await this.runs.transitionIn(tx, r.id, "Queued", { reason }, now);
            if (d) changes.push(d);
          }
          continue;
        }
        const d = await this.runs.transitionIn(
          tx,
          r.id,
          "Submitted",
          { agentId: agent.id, reason: `claimed by agent ${agent.name} (id ${agent.id})` },
          now,
        );
        if (!d) continue;
        changes.push(d);
        counts.take(r.flow_id, labels);
        taken++;
      }
    }, "claim");
    for (const c of changes) await this.runs.changed(c.run, c.previous, now);
    return changes.filter((c) => c.run.state === "Submitted").map((c) => c.run);
  }

  async #waitForWork(deadline: number, signal: AbortSignal): Promise<void> {
    const next = await this.store.runs.nextDue(Date.now());
    const until = Math.min(
      deadline,
      Date.now() + this.seenEveryMs,
      next !== undefined ? next + 1 : deadline,
    );
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        off();
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, until - Date.now()));
      const off = this.hub.onReady(done);
      signal.addEventListener("abort", done);
    });
  }
}
