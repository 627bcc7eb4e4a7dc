import type {
  ListLogsQuery,
  ListTasksQuery,
  LogLineInput,
  LogPage,
  Page,
  TaskRun,
  TaskStateUpdate,
  TaskSummary,
  Timeline,
} from "../api/index.ts";
import type { SqlDriver } from "./sql-driver.ts";
import { Where } from "./where.ts";
import { cursorId, toLog, toTask, type LogRow, type TaskRow } from "./rows.ts";

const finished = new Set([
  "Success",
  "Failed",
  "Mapped",
  "Skipped",
  "TriggerFailed",
  "TimedOut",
  "Cancelled",
]);

/** Task runs (one row per task + map index, upserted) and the run's log lines. */
export class TaskStore {
  constructor(private readonly db: SqlDriver) {}

  /**
   * Upserts a batch of task states (the last update of a task + index in the batch wins). Each
   * row gets the run's next `seq` inside a transaction that holds the run's task lock, so rows
   * become visible in `seq` order: a reader that saw seq N never later finds a new row below N
   * (live streams and `?after` cursors rely on it; a per-process counter did not guarantee it).
   */
  async upsert(runId: number, updates: TaskStateUpdate[], now: number): Promise<number> {
    const byKey = new Map<string, TaskStateUpdate>();
    for (const u of updates) byKey.set(`${u.mapIndex ?? -1}\0${u.task}`, u);
    const latest = [...byKey.values()];
    if (latest.length === 0) return 0;
    await this.db.transaction(async (tx) => {
      const top = await tx.get<{ s: number | string | null }>(
        "SELECT MAX(seq) AS s FROM task_runs WHERE run_id = ?",
        [runId],
      );
      let seq = Number(top?.s ?? 0);
      const rows = latest.map((u) => {
        const at = u.at ?? now;
        return [
          runId,
          u.task,
          u.mapIndex ?? -1,
          u.state,
          u.worker ?? null,
          u.message ?? null,
          u.startedAt ?? (u.state === "Running" ? at : null),
          finished.has(u.state) ? at : null,
          at,
          ++seq,
        ];
      });
      await tx.insertMany(
        "INSERT INTO task_runs (run_id, task, map_index, state, worker, message, started_at, ended_at, updated_at, seq)",
        rows,
        `ON CONFLICT (run_id, task, map_index) DO UPDATE SET state = excluded.state,
        worker = COALESCE(excluded.worker, task_runs.worker), message = excluded.message,
        started_at = COALESCE(task_runs.started_at, excluded.started_at), ended_at = excluded.ended_at,
        updated_at = excluded.updated_at, seq = excluded.seq`,
      );
    }, `task-runs:${runId}`);
    return latest.length;
  }

  /**
   * Ends the task runs a finished flow run left unfinished (its agent crashed, or the run failed
   * before the final report): each becomes Cancelled with the run's final state as the reason, so
   * no task run of a finished flow run shows Pending or Running forever. Returns how many.
   */
  async settleUnfinished(runId: number, runState: string, now: number): Promise<number> {
    const open = await this.db.all<{ task: string; map_index: number }>(
      `SELECT task, map_index FROM task_runs WHERE run_id = ? AND state NOT IN (${[...finished].map(() => "?").join(", ")})`,
      [runId, ...finished],
    );
    if (open.length === 0) return 0;
    const message = `the flow run ended ${runState} before this task run finished`;
    return this.upsert(
      runId,
      open.map((r) => ({ task: r.task, mapIndex: r.map_index, state: "Cancelled", message })),
      now,
    );
  }

  /** The run's highest task `seq` (0 without task runs): where a live-only stream starts. */
  async lastSeq(runId: number): Promise<number> {
    const top = await this.db.get<{ s: number | string | null }>(
      "SELECT MAX(seq) AS s FROM task_runs WHERE run_id = ?",
      [runId],
    );
    return Number(top?.s ?? 0);
  }

  async list(runId: number, q: ListTasksQuery): Promise<Page<TaskRun>> {
    const w = new Where().add("run_id = ?", runId);
    if (q.task) w.add("task = ?", q.task);
    if (q.state) w.in("state", q.state.split(","));
    const after = cursorId(q.cursor);
    if (after !== undefined) w.add("seq > ?", after);
    const limit = q.limit ?? 100;
    const rows = await this.db.all<TaskRow>(`SELECT * FROM task_runs ${w} ORDER BY seq LIMIT ?`, [
      ...w.params,
      limit + 1,
    ]);
    const items = rows.slice(0, limit);
    return {
      items: items.map(toTask),
      next: rows.length > limit ? String(items[items.length - 1]!.seq) : null,
    };
  }

  /** Task runs changed since `afterSeq` (the live stream), at most `limit`. */
  async changedSince(runId: number, afterSeq: number, limit: number): Promise<TaskRow[]> {
    return this.db.all<TaskRow>(
      "SELECT * FROM task_runs WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?",
      [runId, afterSeq, limit],
    );
  }

  /** Counts per task name and state: one index-only GROUP BY, however many map children. */
  async summary(runId: number): Promise<TaskSummary> {
    const rows = await this.db.all<{ task: string; state: string; n: number }>(
      "SELECT task, state, COUNT(*) AS n FROM task_runs WHERE run_id = ? GROUP BY task, state ORDER BY task",
      [runId],
    );
    const tasks = new Map<
      string,
      { task: string; total: number; states: Record<string, number> }
    >();
    let total = 0;
    for (const r of rows) {
      const n = Number(r.n);
      const t = tasks.get(r.task) ?? { task: r.task, total: 0, states: {} };
      t.total += n;
      t.states[r.state] = n;
      tasks.set(r.task, t);
      total += n;
    }
    return { total, tasks: [...tasks.values()] };
  }

  /** At most `samples` started task runs, evenly spread over the run in start order. */
  async timeline(runId: number, samples: number): Promise<Timeline> {
    const { total, picks } = await this.#samplePicks(runId, samples);
    const rows = picks.length
      ? await this.db.all<TaskRow>(
          `SELECT * FROM task_runs WHERE run_id = ? AND seq IN (${picks.map(() => "?").join(", ")})
            ORDER BY started_at, seq`,
          [runId, ...picks],
        )
      : [];
    return {
      total,
      items: rows.map((r) => ({
        task: r.task,
        mapIndex: r.map_index,
        state: r.state,
        worker: r.worker,
        startedAt: r.started_at!,
        endedAt: r.ended_at,
      })),
    };
  }

  /**
   * Appends log lines. On PostgreSQL the run's log lock makes lines commit in `seq` order (two
   * concurrent inserts could otherwise commit out of order, and a `?after` reader skip lines).
   */
  /**
   * The `seq` of every k-th task run in start order (k = ceil(total / samples)), read from the
   * (run_id, started_at, seq) index alone: no table rows, no sort. SQLite strides in JS over the
   * index scan (its window functions materialize every row: twice the time); PostgreSQL numbers
   * the rows with ROW_NUMBER() so only the sample crosses the wire.
   */
  async #samplePicks(
    runId: number,
    samples: number,
  ): Promise<{ total: number; picks: (number | string)[] }> {
    const where = "WHERE run_id = ? AND started_at IS NOT NULL";
    if (this.db.dialect === "sqlite") {
      const all = await this.db.all<{ seq: number }>(
        `SELECT seq FROM task_runs ${where} ORDER BY started_at, seq`,
        [runId],
      );
      const step = Math.max(1, Math.ceil(all.length / samples));
      const picks: number[] = [];
      for (let i = 0; i < all.length && picks.length < samples; i += step) picks.push(all[i]!.seq);
      return { total: all.length, picks };
    }
    const n = await this.db.get<{ n: number | string }>(
      `SELECT COUNT(*) AS n FROM task_runs ${where}`,
      [runId],
    );
    const total = Number(n?.n ?? 0);
    const step = Math.max(1, Math.ceil(total / samples));
    const rows = await this.db.all<{ seq: number | string }>(
      `SELECT seq FROM (SELECT seq, ROW_NUMBER() OVER (ORDER BY started_at, seq) AS rn FROM task_runs
        ${where}) s WHERE (rn - 1) % ? = 0 ORDER BY rn LIMIT ?`,
      [runId, step, samples],
    );
    return { total, picks: rows.map((r) => r.seq) };
  }

  async appendLogs(runId: number, lines: LogLineInput[]): Promise<number> {
    if (lines.length === 0) return 0;
    const insert = (db: SqlDriver) =>
      db.insertMany(
        "INSERT INTO logs (run_id, time, level, name, message, task, map_index, worker)",
        lines.map((l) => [
          runId,
          l.time,
          l.level,
          l.name ?? null,
          l.message,
          l.task ?? null,
          l.mapIndex ?? null,
          l.worker ?? null,
        ]),
      );
    if (this.db.dialect === "sqlite") await insert(this.db);
    else await this.db.transaction(insert, `logs:${runId}`);
    return lines.length;
  }

  async logs(runId: number, q: ListLogsQuery): Promise<LogPage> {
    const after = q.after ?? 0;
    const rows = await this.db.all<LogRow>(
      "SELECT seq, time, level, name, message, task, map_index, worker FROM logs WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?",
      [runId, after, q.limit ?? 1000],
    );
    return { items: rows.map(toLog), last: rows.length ? rows[rows.length - 1]!.seq : after };
  }
}
