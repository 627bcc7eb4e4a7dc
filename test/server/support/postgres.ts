import { existsSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * The test PostgreSQL server's URL: FLOWGATE_TEST_POSTGRES_URL, or the one .ci/setup-postgres.sh
 * wrote. Undefined when there is none (tests skip, saying how to get one).
 */
export function postgresUrl(): string | undefined {
  const env = process.env["FLOWGATE_TEST_POSTGRES_URL"];
  if (env) return env;
  const file = `${process.env["FLOWGATE_PG_DIR"] ?? "/tmp/flowgate-test-postgres"}/url`;
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
}

/** Why PostgreSQL tests are skipped (false when they can run). */
export const skipPostgres: string | false =
  process.env["CI"] && !postgresUrl()
    ? false // in CI the tests must run: a missing server then fails them loudly
    : postgresUrl()
      ? false
      : "no PostgreSQL: run `bash .ci/setup-postgres.sh` (or set FLOWGATE_TEST_POSTGRES_URL)";

/** A fresh, empty database on the test server; `drop()` removes it. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = postgresUrl();
  if (!base) throw new Error("no PostgreSQL test server: run `bash .ci/setup-postgres.sh` first");
  const name = `fg_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
