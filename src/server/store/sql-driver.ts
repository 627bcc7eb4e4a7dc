/**
 * The few things the store needs from a SQL database. Statements are written once, with `?`
 * placeholders, in the SQL that SQLite and PostgreSQL share (ON CONFLICT, RETURNING); the drivers
 * hide the rest (placeholder syntax, locking, cross-process wake-ups).
 */
export interface SqlDriver {
  readonly dialect: "sqlite" | "postgres";
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /**
   * Inserts many rows: `head` is "INSERT INTO t (a, b)", `tail` e.g. an ON CONFLICT clause. Rows
   * must not repeat a conflict key (PostgreSQL refuses to update a row twice in one statement).
   */
  insertMany(head: string, rows: readonly unknown[][], tail?: string): Promise<void>;
  /**
   * Runs `fn` in a transaction. `lock` names a critical section held until commit, across server
   * processes sharing the database (SQLite: the whole database is locked by BEGIN IMMEDIATE).
   */
  transaction<T>(fn: (tx: SqlDriver) => Promise<T>, lock?: string): Promise<T>;
  /** Runs a script of several statements (migrations). */
  exec(script: string): Promise<void>;
  /** Tells every server process sharing the database (including this one) about `channel`. */
  notify(channel: string, payload: string): Promise<void>;
  /** Calls `fn` for every notify on `channel` from any server process. */
  listen(channel: string, fn: (payload: string) => void): Promise<void>;
  close(): Promise<void>;
}
