import { test } from "node:test";
import assert from "node:assert/strict";
import { Store } from "../../src/server/store/store.ts";
import { storeConformance } from "./store-conformance.ts";
import { freshDatabase, skipPostgres } from "./support/postgres.ts";

storeConformance("postgres", skipPostgres);

test(
  "store - three servers opening one new PostgreSQL database at once migrate it once",
  { skip: skipPostgres },
  async () => {
    const db = await freshDatabase();
    try {
      const stores = await Promise.all([
        Store.open(db.url),
        Store.open(db.url),
        Store.open(db.url),
      ]);
      const rows = await stores[0]!.db.all<{ version: number }>(
        "SELECT version FROM schema_migrations",
      );
      assert.deepEqual(
        rows.map((r) => Number(r.version)).sort((a, b) => a - b),
        [1, 2],
      );
      for (const s of stores) await s.close();
    } finally {
      await db.drop();
    }
  },
);
