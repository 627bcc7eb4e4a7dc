import type { ConcurrencyLimit, LimitScope, RegisterAgentRequest } from "../api/index.ts";
import { activeStates } from "../api/index.ts";
import type { SqlDriver } from "./sql-driver.ts";
import type { AgentRow } from "./rows.ts";

/** Agents (with their last heartbeat) and concurrency limits. */
export class AgentStore {
  constructor(private readonly db: SqlDriver) {}

  async register(user: string, req: RegisterAgentRequest, now: number): Promise<AgentRow> {
    return (await this.db.get<AgentRow>(
      "INSERT INTO agents (name, user_name, labels, concurrency, gateway, created_at, last_seen_at, gone) VALUES (?, ?, ?, ?, ?, ?, ?, 0) RETURNING *",
      [
        req.name,
        user,
        JSON.stringify([...new Set(req.labels ?? [])].sort()),
        req.concurrency ?? 1,
        req.gateway ?? null,
        now,
        now,
      ],
    ))!;
  }

  async get(id: number): Promise<AgentRow | undefined> {
    return this.db.get<AgentRow>("SELECT * FROM agents WHERE id = ?", [id]);
  }

  /** Records a heartbeat; false when the agent is unknown or was declared gone. */
  async seen(id: number, now: number): Promise<boolean> {
    return (
      (await this.db.run("UPDATE agents SET last_seen_at = ? WHERE id = ? AND gone = 0", [
        now,
        id,
      ])) > 0
    );
  }

  /** Agents not gone (live or not), newest first. */
  async list(user: string | null): Promise<AgentRow[]> {
    return user === null
      ? this.db.all<AgentRow>("SELECT * FROM agents WHERE gone = 0 ORDER BY id DESC")
      : this.db.all<AgentRow>(
          "SELECT * FROM agents WHERE gone = 0 AND user_name = ? ORDER BY id DESC",
          [user],
        );
  }

  /** Agents silent since before `cutoff`, not yet declared gone. */
  async silent(cutoff: number): Promise<AgentRow[]> {
    return this.db.all<AgentRow>("SELECT * FROM agents WHERE gone = 0 AND last_seen_at < ?", [
      cutoff,
    ]);
  }

  /** Declares an agent gone (atomically: true for exactly one caller). */
  async markGone(id: number): Promise<boolean> {
    return (await this.db.run("UPDATE agents SET gone = 1 WHERE id = ? AND gone = 0", [id])) > 0;
  }

  /** Forget agents gone for a while (their runs keep agent_id for the history). */
  async prune(before: number): Promise<void> {
    await this.db.run("DELETE FROM agents WHERE gone = 1 AND last_seen_at < ?", [before]);
  }

  async activeRunIds(agentId: number): Promise<number[]> {
    const rows = await this.db.all<{ id: number }>(
      `SELECT id FROM runs WHERE agent_id = ? AND state IN (${activeStates.map(() => "?").join(", ")})`,
      [agentId, ...activeStates],
    );
    return rows.map((r) => r.id);
  }

  async cancellingRunIds(agentId: number): Promise<number[]> {
    const rows = await this.db.all<{ id: number }>(
      "SELECT id FROM runs WHERE agent_id = ? AND state = 'Cancelling'",
      [agentId],
    );
    return rows.map((r) => r.id);
  }

  // --- concurrency limits ---
  async limits(
    db: SqlDriver = this.db,
  ): Promise<{ scope: LimitScope; key: string; lim: number }[]> {
    return db.all("SELECT scope, key, lim FROM concurrency_limits ORDER BY scope, key");
  }

  async setLimit(scope: LimitScope, key: string, limit: number): Promise<void> {
    await this.db.run(
      "INSERT INTO concurrency_limits (scope, key, lim) VALUES (?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET lim = excluded.lim",
      [scope, key, limit],
    );
  }

  async deleteLimit(scope: LimitScope, key: string): Promise<boolean> {
    return (
      (await this.db.run("DELETE FROM concurrency_limits WHERE scope = ? AND key = ?", [
        scope,
        key,
      ])) > 0
    );
  }

  /** Limits with how many runs hold a slot of each now. */
  async limitsWithUse(): Promise<ConcurrencyLimit[]> {
    const limits = await this.limits();
    if (limits.length === 0) return [];
    const holders = await this.db.all<{ flow_id: number; labels: string }>(
      `SELECT flow_id, labels FROM runs WHERE state IN (${activeStates.map(() => "?").join(", ")})`,
      [...activeStates],
    );
    return limits.map((l) => ({
      scope: l.scope,
      key: l.key,
      limit: l.lim,
      active: holders.filter((h) =>
        l.scope === "flow"
          ? String(h.flow_id) === l.key
          : (JSON.parse(h.labels) as string[]).includes(l.key),
      ).length,
    }));
  }
}
