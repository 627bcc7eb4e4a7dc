import Database from "better-sqlite3";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import type { ClusterRecord, WorkerRecord } from "./cluster-record.ts";
import type { SecretBox } from "./secret-box.ts";

/**
 * SQLite persistence of cluster and worker rows. The in-memory maps of ClusterRegistry are
 * authoritative while the gateway runs; every change is written here first so that a restart
 * finds every cluster again. The cluster token, TLS key and everything the user sent (options,
 * hence `environment`, and the config built from them) are stored encrypted; the files are 0600.
 */
export class ClusterStore {
  readonly #db: Database.Database;
  readonly #box: SecretBox;
  readonly #putCluster: Database.Statement;
  readonly #putWorker: Database.Statement;
  readonly #delWorkers: Database.Statement;
  /** Clusters whose sealed secrets are already stored (secrets never change after insert). */
  readonly #sealed = new Set<string>();

  constructor(path: string, box: SecretBox) {
    const onDisk = path !== ":memory:" && path !== "";
    if (onDisk) createPrivate(path);
    this.#db = new Database(path);
    this.#box = box;
    if (onDisk) {
      this.#db.pragma("journal_mode = WAL");
      this.#db.pragma("synchronous = NORMAL");
      // SQLite gives -wal/-shm the database file's mode; this covers files an older version left.
      for (const f of [`${path}-wal`, `${path}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
    }
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS clusters (name TEXT PRIMARY KEY, user TEXT NOT NULL, status INTEGER NOT NULL,
        target INTEGER NOT NULL, data TEXT NOT NULL, token_enc TEXT NOT NULL, tls_key_enc TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS workers (name TEXT PRIMARY KEY, cluster TEXT NOT NULL, status INTEGER NOT NULL,
        target INTEGER NOT NULL, data TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS workers_cluster ON workers(cluster);`);
    const cols = this.#db.prepare(`PRAGMA table_info(clusters)`).all() as { name: string }[];
    if (!cols.some((c) => c.name === "request_enc"))
      this.#db.exec(`ALTER TABLE clusters ADD COLUMN request_enc TEXT NOT NULL DEFAULT ''`);
    this.#putCluster = this.#db.prepare(
      `INSERT INTO clusters (name, user, status, target, data, token_enc, tls_key_enc, request_enc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET status = excluded.status, target = excluded.target, data = excluded.data,
         request_enc = CASE WHEN excluded.request_enc <> '' THEN excluded.request_enc ELSE clusters.request_enc END`,
    );
    this.#putWorker = this.#db.prepare(
      `INSERT INTO workers (name, cluster, status, target, data) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET status = excluded.status, target = excluded.target, data = excluded.data`,
    );
    this.#delWorkers = this.#db.prepare(`DELETE FROM workers WHERE cluster = ?`);
  }

  /** Runs fn in one transaction (used to check quotas and insert atomically). */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  saveCluster(c: ClusterRecord): void {
    const { token, tlsKey, options, config, ...rest } = c;
    // Secrets are sealed on the first insert only (they never change); the upsert keeps the
    // stored columns after that.
    const first = !this.#sealed.has(c.name);
    const tokenEnc = first ? this.#box.seal(token) : "";
    const keyEnc = first ? this.#box.seal(tlsKey) : "";
    const requestEnc = first ? this.#box.seal(JSON.stringify({ options, config })) : "";
    this.#putCluster.run(
      c.name,
      c.user,
      c.status,
      c.target,
      JSON.stringify(rest),
      tokenEnc,
      keyEnc,
      requestEnc,
    );
    this.#sealed.add(c.name);
  }

  saveWorker(w: WorkerRecord): void {
    this.#putWorker.run(w.name, w.cluster, w.status, w.target, JSON.stringify(w));
  }

  /** Drops a finished cluster's worker rows (they are not needed after STOPPED/FAILED). */
  deleteWorkers(cluster: string): void {
    this.#delWorkers.run(cluster);
  }

  loadClusters(): ClusterRecord[] {
    const rows = this.#db
      .prepare(`SELECT name, data, token_enc, tls_key_enc, request_enc FROM clusters`)
      .all() as {
      name: string;
      data: string;
      token_enc: string;
      tls_key_enc: string;
      request_enc: string;
    }[];
    // A row an older version wrote (options in `data`) is sealed again on its next save.
    for (const r of rows) if (r.request_enc) this.#sealed.add(r.name);
    return rows.map(
      (r) =>
        ({
          ...JSON.parse(r.data),
          // Rows written before options were sealed keep them in `data`.
          ...(r.request_enc ? JSON.parse(this.#box.open(r.request_enc)) : {}),
          token: this.#box.open(r.token_enc),
          tlsKey: this.#box.open(r.tls_key_enc),
        }) as ClusterRecord,
    );
  }

  loadWorkers(): WorkerRecord[] {
    const rows = this.#db.prepare(`SELECT data FROM workers`).all() as { data: string }[];
    return rows.map((r) => JSON.parse(r.data) as WorkerRecord);
  }

  close(): void {
    this.#db.close();
  }
}

/** Creates the database file (and its folder, 0700 when new) readable by the gateway only. */
function createPrivate(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, "a", 0o600));
  chmodSync(path, 0o600);
}
