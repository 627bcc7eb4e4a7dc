import type { ListRunsQuery, Page, RunStateRecord, RunState } from "../api/index.ts";
import { activeStates, finishedStates } from "../api/index.ts";
import type { SqlDriver } from "./sql-driver.ts";
import { Where } from "./where.ts";
import { RunCreateBatch, insertRun, runValues, type NewRun } from "./run-create-batch.ts";
import { cursorId, pageOf, runColumns, runFrom, type RunRow, type Viewer } from "./rows.ts";

export type { NewRun } from "./run-create-batch.ts";

/** Extra columns a transition sets. */
export interface TransitionExtras {
  reason?: string | null;
  agentId?: number;
  result?: unknown;
}

const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");

/** Runs, their state history, and atomic state changes (compare-and-set on the current state). */
export class RunStore {
  readonly #batch: RunCreateBatch;

  constructor(private readonly db: SqlDriver) {
    this.#batch = new RunCreateBatch(db);
  }

  async get(id: number): Promise<RunRow | undefined> {
    return this.db.get<RunRow>(`SELECT ${runColumns} FROM ${runFrom} WHERE r.id = ?`, [id]);
  }

  /** Creates a run; with an idempotency key already used by the user, returns that run instead. */
  async create(n: NewRun, now: number): Promise<{ run: RunRow; created: boolean }> {
    const out = await this.#batch.create(n, now);
    if (out) return { run: out, created: true };
    const old = await this.db.get<{ id: number }>(
      "SELECT id FROM runs WHERE user_name = ? AND idempotency_key = ?",
      [n.user, n.idempotencyKey ?? null],
    );
    return { run: (await this.get(old!.id))!, created: false };
  }

  /** Creates scheduled runs; a (flow, schedule generation, clock, time) that exists is skipped. */
  async createScheduled(tx: SqlDriver, runs: NewRun[], now: number): Promise<number[]> {
    const ids: number[] = [];
    for (const n of runs) {
      const r = await tx.get<{ id: number }>(
        `${insertRun} VALUES (${marks(13)}) ON CONFLICT DO NOTHING RETURNING id`,
        runValues(n, now),
      );
      if (r) ids.push(r.id);
    }
    await tx.insertMany(
      "INSERT INTO run_states (run_id, state, reason, at)",
      ids.map((id) => [id, "Scheduled", null, now]),
    );
    return ids;
  }

  async list(viewer: Viewer, q: ListRunsQuery & { flowId?: number }): Promise<Page<RunRow>> {
    const w = new Where();
    if (!viewer.admin) w.add("r.user_name = ?", viewer.name);
    else if (q.user) w.add("r.user_name = ?", q.user);
    if (q.flowId !== undefined) w.add("r.flow_id = ?", q.flowId);
    if (q.state) {
      const states = q.state.split(",").map((s) => s.trim());
      w.add(`r.state IN (${marks(states.length)})`, ...states);
    }
    if (q.label) w.add("r.labels LIKE ?", `%${JSON.stringify(q.label)}%`);
    if (q.since !== undefined) w.add("r.created_at >= ?", q.since);
    if (q.until !== undefined) w.add("r.created_at < ?", q.until);
    const before = cursorId(q.cursor);
    if (before !== undefined) w.add("r.id < ?", before);
    const limit = q.limit ?? 100;
    const rows = await this.db.all<RunRow>(
      `SELECT ${runColumns} FROM ${runFrom} ${w} ORDER BY r.id DESC LIMIT ?`,
      [...w.params, limit + 1],
    );
    return pageOf(rows, limit, (r) => r.id);
  }

  /**
   * Moves run `id` to `to` if its state is one of `from` (atomically); returns the updated run
   * with its previous state, or undefined when the state was not in `from` (someone else won).
   */
  async transition(
    id: number,
    from: readonly RunState[],
    to: RunState,
    x: TransitionExtras,
    now: number,
    db: SqlDriver = this.db,
  ): Promise<{ run: RunRow; previous: RunState } | undefined> {
    const before = await db.get<{ state: RunState }>("SELECT state FROM runs WHERE id = ?", [id]);
    if (!before || !from.includes(before.state)) return undefined;
    const sets = ["state = ?", "state_reason = ?", "updated_at = ?"];
    const p: unknown[] = [to, x.reason ?? null, now];
    const set = (sql: string, v: unknown) => {
      sets.push(sql);
      p.push(v);
    };
    if (x.agentId !== undefined) set("agent_id = ?", x.agentId);
    if (to === "Running") set("started_at = COALESCE(started_at, ?)", now);
    if (finishedStates.includes(to)) set("ended_at = ?", now);
    if (x.result !== undefined) set("result = ?", JSON.stringify(x.result));
    const n = await db.run(`UPDATE runs SET ${sets.join(", ")} WHERE id = ? AND state = ?`, [
      ...p,
      id,
      before.state,
    ]);
    if (n === 0) return undefined;
    await db.run("INSERT INTO run_states (run_id, state, reason, at) VALUES (?, ?, ?, ?)", [
      id,
      to,
      x.reason ?? null,
      now,
    ]);
    return {
      run: (await db.get<RunRow>(`SELECT ${runColumns} FROM ${runFrom} WHERE r.id = ?`, [id]))!,
      previous: before.state,
    };
  }

  async history(id: number): Promise<RunStateRecord[]> {
    return this.db.all<RunStateRecord>(
      "SELECT state, reason, at FROM run_states WHERE run_id = ? ORDER BY id",
      [id],
    );
  }

  async setJson(
    id: number,
    column: "cluster" | "cost",
    value: unknown,
    now: number,
  ): Promise<void> {
    await this.db.run(`UPDATE runs SET ${column} = ?, updated_at = ? WHERE id = ?`, [
      JSON.stringify(value),
      now,
      id,
    ]);
  }

  /** Runs an agent holds (Submitted/Running/Cancelling). */
  async activeOf(agentId: number): Promise<RunRow[]> {
    return this.db.all<RunRow>(
      `SELECT ${runColumns} FROM ${runFrom} WHERE r.agent_id = ? AND r.state IN (${marks(activeStates.length)})`,
      [agentId, ...activeStates],
    );
  }

  /** Active runs that have a cluster recorded (the cluster watcher's work list). */
  async activeWithCluster(): Promise<RunRow[]> {
    return this.db.all<RunRow>(
      `SELECT ${runColumns} FROM ${runFrom} WHERE r.state IN (${marks(activeStates.length)}) AND r.cluster IS NOT NULL`,
      [...activeStates],
    );
  }

  /** The earliest future start of a waiting run, ms (to wake long polls then). */
  async nextDue(now: number): Promise<number | undefined> {
    const r = await this.db.get<{ t: number | null }>(
      "SELECT MIN(scheduled_at) AS t FROM runs WHERE state IN ('Scheduled', 'Queued') AND scheduled_at > ?",
      [now],
    );
    return r?.t ?? undefined;
  }

  /** Runs waiting for an agent (Scheduled/Queued whose time has come), oldest first. */
  async ready(tx: SqlDriver, now: number, user: string | null, limit: number): Promise<RunRow[]> {
    return tx.all<RunRow>(
      `SELECT ${runColumns} FROM ${runFrom} WHERE r.state IN ('Scheduled', 'Queued') AND r.scheduled_at <= ? ${user === null ? "" : "AND r.user_name = ?"} ORDER BY r.scheduled_at, r.id LIMIT ?`,
      user === null ? [now, limit] : [now, user, limit],
    );
  }

  /** flow id and labels of every run that holds a concurrency slot. */
  async slotHolders(tx: SqlDriver): Promise<{ flow_id: number; labels: string }[]> {
    return tx.all(
      `SELECT flow_id, labels FROM runs WHERE state IN (${marks(activeStates.length)})`,
      [...activeStates],
    );
  }
}
