/**
 * The database schema, as numbered migrations applied in order, never edited once released (add
 * a new one instead). One text serves both databases: `{{id}}` and `{{bytes}}` are the only
 * spellings that differ. JSON columns are TEXT; booleans are 0/1; times are ms (BIGINT).
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "flows, runs, tasks, logs, agents, schedules, limits, webhooks",
    sql: `
CREATE TABLE bundles (hash TEXT PRIMARY KEY, size BIGINT NOT NULL, content {{bytes}} NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE flows (
  id {{id}}, project TEXT NOT NULL, name TEXT NOT NULL, user_name TEXT NOT NULL,
  latest_version INTEGER NOT NULL, labels TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  UNIQUE (project, name));
CREATE TABLE flow_versions (
  flow_id BIGINT NOT NULL REFERENCES flows(id), version INTEGER NOT NULL, hash TEXT NOT NULL,
  storage TEXT NOT NULL, graph TEXT NOT NULL, environment TEXT, labels TEXT NOT NULL, created_at BIGINT NOT NULL,
  PRIMARY KEY (flow_id, version));
CREATE TABLE schedules (
  flow_id BIGINT PRIMARY KEY REFERENCES flows(id), active INTEGER NOT NULL, clocks TEXT NOT NULL,
  generation INTEGER NOT NULL, set_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE runs (
  id {{id}}, flow_id BIGINT NOT NULL REFERENCES flows(id), version INTEGER NOT NULL, user_name TEXT NOT NULL,
  state TEXT NOT NULL, state_reason TEXT, parameters TEXT NOT NULL, labels TEXT NOT NULL,
  scheduled_at BIGINT NOT NULL, clock INTEGER, schedule_gen INTEGER, agent_id BIGINT,
  created_at BIGINT NOT NULL, started_at BIGINT, ended_at BIGINT, updated_at BIGINT NOT NULL,
  result TEXT, cluster TEXT, cost TEXT, idempotency_key TEXT,
  UNIQUE (flow_id, schedule_gen, clock, scheduled_at),
  UNIQUE (user_name, idempotency_key));
CREATE INDEX runs_ready ON runs (state, scheduled_at);
CREATE INDEX runs_flow ON runs (flow_id, id);
CREATE INDEX runs_agent ON runs (agent_id, state);
CREATE TABLE run_states (id {{id}}, run_id BIGINT NOT NULL, state TEXT NOT NULL, reason TEXT, at BIGINT NOT NULL);
CREATE INDEX run_states_run ON run_states (run_id, id);
CREATE TABLE task_runs (
  run_id BIGINT NOT NULL, task TEXT NOT NULL, map_index INTEGER NOT NULL, state TEXT NOT NULL,
  worker TEXT, message TEXT, started_at BIGINT, ended_at BIGINT, updated_at BIGINT NOT NULL, seq BIGINT NOT NULL,
  PRIMARY KEY (run_id, task, map_index));
CREATE INDEX task_runs_summary ON task_runs (run_id, task, state);
CREATE INDEX task_runs_seq ON task_runs (run_id, seq);
CREATE TABLE logs (
  seq {{id}}, run_id BIGINT NOT NULL, time BIGINT NOT NULL, level TEXT NOT NULL, name TEXT,
  message TEXT NOT NULL, task TEXT, map_index INTEGER, worker TEXT);
CREATE INDEX logs_run ON logs (run_id, seq);
CREATE TABLE agents (
  id {{id}}, name TEXT NOT NULL, user_name TEXT NOT NULL, labels TEXT NOT NULL, concurrency INTEGER NOT NULL,
  gateway TEXT, created_at BIGINT NOT NULL, last_seen_at BIGINT NOT NULL, gone INTEGER NOT NULL);
CREATE TABLE concurrency_limits (scope TEXT NOT NULL, key TEXT NOT NULL, lim INTEGER NOT NULL, PRIMARY KEY (scope, key));
CREATE TABLE webhooks (
  id {{id}}, user_name TEXT NOT NULL, url TEXT NOT NULL, secret TEXT NOT NULL, flows TEXT NOT NULL,
  states TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY, webhook_id BIGINT NOT NULL, run_id BIGINT NOT NULL, state TEXT NOT NULL, payload TEXT NOT NULL,
  attempts INTEGER NOT NULL, status TEXT NOT NULL, last_error TEXT, next_attempt_at BIGINT);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_hook ON deliveries (webhook_id);
`,
  },
  {
    version: 2,
    name: "task runs in start order (an index-only timeline sample); admins' all-users webhooks",
    sql: `
CREATE INDEX task_runs_started ON task_runs (run_id, started_at, seq);
ALTER TABLE webhooks ADD COLUMN all_users INTEGER NOT NULL DEFAULT 0;
`,
  },
];

/** The migration's SQL for one database. */
export function migrationSql(m: Migration, dialect: "sqlite" | "postgres"): string {
  const id = dialect === "sqlite" ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY";
  const bytes = dialect === "sqlite" ? "BLOB" : "BYTEA";
  return m.sql.replaceAll("{{id}}", id).replaceAll("{{bytes}}", bytes);
}
