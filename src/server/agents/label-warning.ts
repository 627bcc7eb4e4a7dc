import type { Run } from "../api/index.ts";
import { labelsCover } from "../limits/limit-check.ts";
import type { AgentRow } from "../store/rows.ts";
import type { Store } from "../store/store.ts";

/**
 * The warning a waiting run carries when no live agent's labels cover its own (a run stranded
 * by a label mismatch is visible, not silent). Live agents are cached for a second.
 */
export class LabelWarnings {
  #cache: { at: number; agents: AgentRow[] } | null = null;

  constructor(
    private readonly store: Store,
    private readonly timeoutMs: number,
  ) {}

  async #live(): Promise<AgentRow[]> {
    const now = Date.now();
    if (!this.#cache || now - this.#cache.at > 1000) {
      const all = await this.store.agents.list(null);
      this.#cache = { at: now, agents: all.filter((a) => a.last_seen_at >= now - this.timeoutMs) };
    }
    return this.#cache.agents;
  }

  /** Forget the cache (an agent registered or left). */
  invalidate(): void {
    this.#cache = null;
  }

  /** Sets `warning` on each Scheduled/Queued run that no live agent can take. */
  async annotate(runs: Run[]): Promise<Run[]> {
    if (!runs.some((r) => r.state === "Scheduled" || r.state === "Queued")) return runs;
    const live = await this.#live();
    for (const r of runs) {
      if (r.state !== "Scheduled" && r.state !== "Queued") continue;
      const able = live.filter((a) => labelsCover(JSON.parse(a.labels) as string[], r.labels));
      if (able.length) continue;
      const need = r.labels.length ? `labels [${r.labels.join(", ")}]` : "no labels";
      const offer = live.length
        ? `live agents offer ${live.map((a) => `${a.name} [${(JSON.parse(a.labels) as string[]).join(", ")}]`).join(", ")}`
        : "no agent is live";
      r.warning = `no live agent can take this run: it needs ${need}; ${offer}. Start one with \`flowgate agent --server URL${r.labels.map((l) => ` --label ${l}`).join("")}\``;
    }
    return runs;
  }
}
