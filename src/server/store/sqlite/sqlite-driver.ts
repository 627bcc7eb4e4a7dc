import Database from "better-sqlite3";
import { chmodSync, closeSync, existsSync, openSync } from "node:fs";
import type { SqlDriver } from "../sql-driver.ts";

type Statement = Database.Statement<unknown[], unknown>;

/**
 * SQLite through better-sqlite3 (synchronous, in process; WAL so readers never block). A file
 * database is created with mode 0600. A transaction is BEGIN IMMEDIATE and may await between its
 * statements, so calls from elsewhere wait at a gate until it commits: nothing slips into it.
 * One process only: several server processes need PostgreSQL.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = "sqlite" as const;
  readonly #db: Database.Database;
  readonly #stmts = new Map<string, Statement>();
  readonly #listeners = new Map<string, ((p: string) => void)[]>();
  #gate: Promise<void> | null = null;

  constructor(path: string) {
    if (path !== ":memory:" && !existsSync(path)) closeSync(openSync(path, "a", 0o600));
    if (path !== ":memory:") chmodSync(path, 0o600);
    this.#db = new Database(path);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = NORMAL");
    this.#db.pragma("busy_timeout = 5000");
  }

  #stmt(sql: string): Statement {
    let s = this.#stmts.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#stmts.set(sql, s);
    }
    return s;
  }

  #all<T>(sql: string, params: readonly unknown[]): T[] {
    return this.#stmt(sql).all(...params) as T[];
  }
  #get<T>(sql: string, params: readonly unknown[]): T | undefined {
    return this.#stmt(sql).get(...params) as T | undefined;
  }
  #run(sql: string, params: readonly unknown[]): number {
    const s = this.#stmt(sql);
    return s.reader ? s.all(...params).length : s.run(...params).changes;
  }
  #insertMany(head: string, rows: readonly unknown[][], tail: string): void {
    if (rows.length === 0) return;
    const s = this.#stmt(`${head} VALUES (${rows[0]!.map(() => "?").join(", ")}) ${tail}`);
    for (const r of rows) s.run(...r);
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    while (this.#gate) await this.#gate;
    return this.#all<T>(sql, params);
  }
  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    while (this.#gate) await this.#gate;
    return this.#get<T>(sql, params);
  }
  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    while (this.#gate) await this.#gate;
    return this.#run(sql, params);
  }
  async insertMany(head: string, rows: readonly unknown[][], tail = ""): Promise<void> {
    while (this.#gate) await this.#gate;
    this.#db.transaction(() => this.#insertMany(head, rows, tail)).immediate();
  }

  async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    while (this.#gate) await this.#gate;
    let open!: () => void;
    this.#gate = new Promise<void>((r) => (open = r));
    const view: SqlDriver = {
      dialect: "sqlite",
      all: async (s, p = []) => this.#all(s, p),
      get: async (s, p = []) => this.#get(s, p),
      run: async (s, p = []) => this.#run(s, p),
      insertMany: async (h, r, t = "") => this.#insertMany(h, r, t),
      transaction: (f) => f(view),
      exec: async (s) => void this.#db.exec(s),
      notify: (c, p) => this.notify(c, p),
      listen: (c, f) => this.listen(c, f),
      close: async () => {},
    };
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const out = await fn(view);
      this.#db.exec("COMMIT");
      return out;
    } catch (e) {
      if (this.#db.inTransaction) this.#db.exec("ROLLBACK");
      throw e;
    } finally {
      this.#gate = null;
      open();
    }
  }

  async exec(script: string): Promise<void> {
    while (this.#gate) await this.#gate;
    this.#db.exec(script);
  }

  async notify(channel: string, payload: string): Promise<void> {
    for (const fn of this.#listeners.get(channel) ?? []) fn(payload);
  }

  async listen(channel: string, fn: (payload: string) => void): Promise<void> {
    this.#listeners.set(channel, [...(this.#listeners.get(channel) ?? []), fn]);
  }

  async close(): Promise<void> {
    while (this.#gate) await this.#gate;
    this.#db.close();
  }
}
