import { StoreMigrationError } from "../../errors.ts";
import type { SqlDriver } from "../sql-driver.ts";
import { migrationSql, migrations } from "./migrations.ts";

/**
 * Brings the database to the newest schema: applies each migration not yet recorded in
 * `schema_migrations`, in order, each in its own transaction (under a lock, so two server
 * processes starting together apply it once). Returns the versions applied.
 * Throws StoreMigrationError when the database is newer than this server.
 */
export async function migrate(db: SqlDriver): Promise<number[]> {
  // under the lock too: two processes creating the table at once would collide in the catalog
  await db.transaction(
    (tx) =>
      tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
      ),
    "flowgate-migrate",
  );
  const applied: number[] = [];
  for (const m of migrations) {
    await db.transaction(async (tx) => {
      const done = await tx.get<{ version: number }>(
        "SELECT version FROM schema_migrations WHERE version = ?",
        [m.version],
      );
      if (done) return;
      try {
        await tx.exec(migrationSql(m, db.dialect));
      } catch (e) {
        throw new StoreMigrationError(
          `migration ${m.version} (${m.name}) failed: ${(e as Error).message}; the database was left at the previous version`,
          { cause: e },
        );
      }
      await tx.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", [
        m.version,
        m.name,
        Date.now(),
      ]);
      applied.push(m.version);
    }, "flowgate-migrate");
  }
  const top = await db.get<{ v: number | null }>("SELECT MAX(version) AS v FROM schema_migrations");
  const known = migrations[migrations.length - 1]!.version;
  if ((top?.v ?? 0) > known)
    throw new StoreMigrationError(
      `the database is at schema version ${top?.v}, newer than this server knows (${known}); upgrade flowgate`,
    );
  return applied;
}
