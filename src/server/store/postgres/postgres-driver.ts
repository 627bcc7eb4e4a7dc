import pg from "pg";
import type { SqlDriver } from "../sql-driver.ts";

/** BIGINT (20) and NUMERIC come back as strings by default; ids and ms fit in a double. */
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as "text");
  },
};

const converted = new Map<string, string>();
/** "? … ?" → "$1 … $2" (statements never hold a literal "?"). */
function pgSql(sql: string): string {
  let out = converted.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    converted.set(sql, out);
  }
  return out;
}

/** A 31-bit key for pg_advisory_xact_lock from a lock name. */
function lockKey(name: string): number {
  let h = 0;
  for (const ch of name) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h & 0x7fffffff;
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
}

/** Statements on a pool connection, or on the one client of a transaction. */
class PgView {
  constructor(protected readonly q: Queryable) {}
  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.q.query(pgSql(sql), params as unknown[])).rows as T[];
  }
  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }
  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.q.query(pgSql(sql), params as unknown[])).rowCount ?? 0;
  }
  async insertMany(head: string, rows: readonly unknown[][], tail = ""): Promise<void> {
    const width = rows[0]?.length ?? 1;
    const per = Math.max(1, Math.floor(30000 / width));
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per);
      let n = 0;
      const values = chunk.map((r) => `(${r.map(() => `$${++n}`).join(", ")})`).join(", ");
      await this.q.query(`${head} VALUES ${values} ${tail}`, chunk.flat());
    }
  }
  async exec(script: string): Promise<void> {
    await this.q.query(script);
  }
}

/**
 * PostgreSQL through `pg` (a pool of `max` connections). Several server processes may share the
 * database: locks are advisory transaction locks, wake-ups are LISTEN/NOTIFY.
 */
export class PostgresDriver extends PgView implements SqlDriver {
  readonly dialect = "postgres" as const;
  readonly #pool: pg.Pool;
  #listener: pg.Client | null = null;
  readonly #listeners = new Map<string, ((p: string) => void)[]>();

  constructor(url: string, max = 20) {
    const pool = new pg.Pool({ connectionString: url, max, types });
    pool.on("error", () => {
      /* an idle client lost its connection: the pool replaces it */
    });
    super(pool);
    this.#pool = pool;
  }

  async transaction<T>(fn: (tx: SqlDriver) => Promise<T>, lock?: string): Promise<T> {
    const client = await this.#pool.connect();
    const view = new PgView(client) as PgView & SqlDriver;
    Object.assign(view, {
      dialect: "postgres",
      transaction: (f: (tx: SqlDriver) => Promise<unknown>) => f(view),
      notify: (c: string, p: string) => view.run("SELECT pg_notify(?, ?)", [c, p]).then(() => {}),
      listen: (c: string, f: (p: string) => void) => this.listen(c, f),
      close: async () => {},
    });
    try {
      await client.query("BEGIN");
      if (lock) await client.query("SELECT pg_advisory_xact_lock($1)", [lockKey(lock)]);
      const out = await fn(view);
      await client.query("COMMIT");
      return out;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.run("SELECT pg_notify(?, ?)", [channel, payload]);
  }

  async listen(channel: string, fn: (payload: string) => void): Promise<void> {
    if (!this.#listener) {
      this.#listener = new pg.Client({
        connectionString: (this.#pool.options as { connectionString: string }).connectionString,
      });
      this.#listener.on("error", () => {});
      this.#listener.on("notification", (m) => {
        for (const f of this.#listeners.get(m.channel) ?? []) f(m.payload ?? "");
      });
      await this.#listener.connect();
    }
    if (!this.#listeners.has(channel))
      await this.#listener.query(`LISTEN "${channel.replace(/"/g, "")}"`);
    this.#listeners.set(channel, [...(this.#listeners.get(channel) ?? []), fn]);
  }

  async close(): Promise<void> {
    await this.#listener?.end().catch(() => {});
    await this.#pool.end();
  }
}
