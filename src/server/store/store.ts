import { resolve } from "node:path";
import { ServerConfigError } from "../errors.ts";
import { AgentStore } from "./agent-store.ts";
import { FlowStore } from "./flow-store.ts";
import { migrate } from "./migrations/migrate.ts";
import { PostgresDriver } from "./postgres/postgres-driver.ts";
import { RunStore } from "./run-store.ts";
import { ScheduleStore } from "./schedule-store.ts";
import type { SqlDriver } from "./sql-driver.ts";
import { SqliteDriver } from "./sqlite/sqlite-driver.ts";
import { TaskStore } from "./task-store.ts";
import { WebhookStore } from "./webhook-store.ts";

/**
 * The server's storage: one set of queries over a SqlDriver, with two drivers — SQLite (default,
 * one process) and PostgreSQL (several server processes sharing one database). The same
 * conformance suite (test/server/store-conformance.ts) runs against both.
 */
export class Store {
  readonly flows: FlowStore;
  readonly runs: RunStore;
  readonly tasks: TaskStore;
  readonly agents: AgentStore;
  readonly schedules: ScheduleStore;
  readonly webhooks: WebhookStore;

  constructor(readonly db: SqlDriver) {
    this.flows = new FlowStore(db);
    this.runs = new RunStore(db);
    this.tasks = new TaskStore(db);
    this.agents = new AgentStore(db);
    this.schedules = new ScheduleStore(db);
    this.webhooks = new WebhookStore(db);
  }

  /**
   * Opens `sqlite:PATH` (or a bare path, or `sqlite::memory:`) or `postgres://…` and migrates it
   * to the newest schema. Throws ServerConfigError for anything else.
   */
  static async open(url: string): Promise<Store> {
    let db: SqlDriver;
    if (/^postgres(ql)?:\/\//.test(url)) db = new PostgresDriver(url);
    else if (url.startsWith("sqlite:")) {
      const path = url.slice("sqlite:".length);
      db = new SqliteDriver(path === ":memory:" ? path : resolve(path));
    } else if (!url.includes("://") && url !== "") db = new SqliteDriver(resolve(url));
    else
      throw new ServerConfigError(
        `--db ${JSON.stringify(url)} is not a database URL; use sqlite:PATH (default sqlite:flowgate-server.db) or postgres://user@host/db`,
      );
    try {
      await migrate(db);
    } catch (e) {
      await db.close().catch(() => {});
      throw e;
    }
    return new Store(db);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
