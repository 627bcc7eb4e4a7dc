import type { SqlDriver } from "./sql-driver.ts";
import { runColumns, runFrom, type RunRow } from "./rows.ts";

/** A run to create. */
export interface NewRun {
  flowId: number;
  version: number;
  user: string;
  parameters: Record<string, unknown>;
  labels: string[];
  scheduledAt: number;
  clock?: number | null;
  scheduleGen?: number | null;
  idempotencyKey?: string | null;
}

interface Pending {
  n: NewRun;
  now: number;
  resolve: (run: RunRow | undefined) => void;
  reject: (e: unknown) => void;
}

const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");
/** The runs columns a new run sets, in the order of `runValues`. */
export const insertRun =
  "INSERT INTO runs (flow_id, version, user_name, state, state_reason, parameters, labels, scheduled_at, clock, schedule_gen, created_at, updated_at, idempotency_key)";
export const runValues = (n: NewRun, now: number): unknown[] => [
  n.flowId,
  n.version,
  n.user,
  "Scheduled",
  null,
  JSON.stringify(n.parameters),
  JSON.stringify([...new Set(n.labels)].sort()),
  n.scheduledAt,
  n.clock ?? null,
  n.scheduleGen ?? null,
  now,
  now,
  n.idempotencyKey ?? null,
];

// 14 parameters a run: 1,000 runs stay well under PostgreSQL's 65,535 per statement.
const MAX_BATCH = 1000;
// PostgreSQL: batches in flight at once (each on its own pool connection); the rest wait and
// join the next batch, so that a burst becomes a few large transactions, not many small ones.
const PG_FLUSHES = 4;

/**
 * Creates runs that arrive at the same time together, in one transaction (statement): the commit (SQLite: the
 * WAL write; PostgreSQL: the round trips and the commit) is most of a create's cost. SQLite inserts
 * the batch's runs one by one inside the transaction; PostgreSQL takes the batch's ids from the
 * sequence, then inserts every run and its first state in one multi-row statement.
 * When a batch fails (say one run breaks a constraint), each of its runs is retried alone, so one
 * bad run never fails the others. Resolves undefined for a run whose idempotency key was taken.
 */
export class RunCreateBatch {
  #queue: Pending[] = [];
  #scheduled = false;
  #flushing = 0;

  constructor(private readonly db: SqlDriver) {}

  /** Queues `n` for the next batch. */
  create(n: NewRun, now: number): Promise<RunRow | undefined> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ n, now, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#queue.length === 0) return;
    if (this.db.dialect === "postgres" && this.#flushing >= PG_FLUSHES) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#queue.splice(0, MAX_BATCH);
    if (batch.length === 0) return;
    this.#flushing++;
    this.#schedule();
    try {
      const rows =
        this.db.dialect === "postgres"
          ? await insertAll(this.db, batch)
          : await this.db.transaction((tx) => insertEach(tx, batch));
      batch.forEach((p, i) => p.resolve(rows[i]));
    } catch {
      for (const p of batch)
        await this.db.transaction((tx) => insertOne(tx, p.n, p.now)).then(p.resolve, p.reject);
    } finally {
      this.#flushing--;
      this.#schedule();
    }
  }
}

/** Inserts one run and its first state; undefined when its idempotency key was taken. */
export async function insertOne(
  db: SqlDriver,
  n: NewRun,
  now: number,
): Promise<RunRow | undefined> {
  const row = await db.get<{ id: number }>(
    `${insertRun} VALUES (${marks(13)}) ON CONFLICT DO NOTHING RETURNING id`,
    runValues(n, now),
  );
  if (!row) return undefined;
  const [, run] = await Promise.all([
    db.run("INSERT INTO run_states (run_id, state, reason, at) VALUES (?, ?, ?, ?)", [
      row.id,
      "Scheduled",
      null,
      now,
    ]),
    db.get<RunRow>(`SELECT ${runColumns} FROM ${runFrom} WHERE r.id = ?`, [row.id]),
  ]);
  return run!;
}

async function insertEach(tx: SqlDriver, batch: Pending[]): Promise<(RunRow | undefined)[]> {
  const out: (RunRow | undefined)[] = [];
  for (const p of batch) out.push(await insertOne(tx, p.n, p.now));
  return out;
}

/**
 * PostgreSQL: two statements for the whole batch, whatever its size, and no BEGIN … COMMIT: the
 * runs, their first states and the rows to answer with come from one statement (data-modifying
 * WITHs, atomic alone).
 */
async function insertAll(db: SqlDriver, batch: Pending[]): Promise<(RunRow | undefined)[]> {
  // Ids come from the sequence first, so each inserted row is known to be its request's run
  // (RETURNING's order is not promised, and a run whose idempotency key was taken returns nothing).
  const ids = await db.all<{ id: number }>(
    "SELECT nextval(pg_get_serial_sequence('runs', 'id')) AS id FROM generate_series(1, ?)",
    [batch.length],
  );
  const columns = insertRun.slice(insertRun.indexOf("(") + 1);
  const rows = await db.all<RunRow>(
    `WITH r AS (INSERT INTO runs (id, ${columns} VALUES ${batch
      .map(() => `(${marks(14)})`)
      .join(", ")} ON CONFLICT DO NOTHING RETURNING *),
     s AS (INSERT INTO run_states (run_id, state, reason, at)
       SELECT id, 'Scheduled', NULL, created_at FROM r)
     SELECT ${runColumns} FROM r JOIN flows f ON f.id = r.flow_id`,
    batch.flatMap((p, i) => [ids[i]!.id, ...runValues(p.n, p.now)]),
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((r) => byId.get(r.id));
}
