import { InvalidRequestError } from "../errors.ts";
import type { Flow, FlowVersion, Run, RunState, TaskRun, LogLine, Agent } from "../api/index.ts";

/** Database rows, as both drivers return them (snake_case, JSON as text, 0/1 booleans). */
export interface FlowRow {
  id: number;
  project: string;
  name: string;
  user_name: string;
  latest_version: number;
  labels: string;
  created_at: number;
  updated_at: number;
}
export interface VersionRow {
  flow_id: number;
  version: number;
  hash: string;
  storage: string;
  graph: string;
  environment: string | null;
  labels: string;
  created_at: number;
}
export interface RunRow {
  id: number;
  flow_id: number;
  version: number;
  user_name: string;
  state: RunState;
  state_reason: string | null;
  parameters: string;
  labels: string;
  scheduled_at: number;
  clock: number | null;
  schedule_gen: number | null;
  agent_id: number | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  updated_at: number;
  result: string | null;
  cluster: string | null;
  cost: string | null;
  idempotency_key: string | null;
  /** joined from flows */
  flow_name: string;
  project: string;
}
export interface TaskRow {
  task: string;
  map_index: number;
  state: string;
  worker: string | null;
  message: string | null;
  started_at: number | null;
  ended_at: number | null;
  updated_at: number;
  seq: number;
}
export interface LogRow {
  seq: number;
  time: number;
  level: string;
  name: string | null;
  message: string;
  task: string | null;
  map_index: number | null;
  worker: string | null;
}
export interface AgentRow {
  id: number;
  name: string;
  user_name: string;
  labels: string;
  concurrency: number;
  gateway: string | null;
  created_at: number;
  last_seen_at: number;
  gone: number;
}

/** Columns of a run with its flow's name (every run query selects these). */
export const runColumns = "r.*, f.name AS flow_name, f.project AS project";
export const runFrom = "runs r JOIN flows f ON f.id = r.flow_id";

export const toFlow = (r: FlowRow): Flow => ({
  id: r.id,
  project: r.project,
  name: r.name,
  user: r.user_name,
  latestVersion: r.latest_version,
  labels: JSON.parse(r.labels) as string[],
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toVersion = (r: VersionRow): FlowVersion => ({
  flowId: r.flow_id,
  version: r.version,
  hash: r.hash,
  storage: JSON.parse(r.storage) as FlowVersion["storage"],
  graph: JSON.parse(r.graph) as FlowVersion["graph"],
  environment: r.environment ? (JSON.parse(r.environment) as FlowVersion["environment"]) : null,
  labels: JSON.parse(r.labels) as string[],
  createdAt: r.created_at,
});

/** The API's Run (without `warning`, which the server adds from the live agents). */
export function toRun(r: RunRow): Run {
  const run: Run = {
    id: r.id,
    flowId: r.flow_id,
    flowName: r.flow_name,
    project: r.project,
    version: r.version,
    user: r.user_name,
    state: r.state,
    stateReason: r.state_reason,
    parameters: JSON.parse(r.parameters) as Record<string, unknown>,
    labels: JSON.parse(r.labels) as string[],
    scheduledAt: r.scheduled_at,
    clock: r.clock,
    agentId: r.agent_id,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    cluster: r.cluster ? (JSON.parse(r.cluster) as Run["cluster"]) : null,
    cost: r.cost ? (JSON.parse(r.cost) as Run["cost"]) : null,
    warning: null,
  };
  if (r.result !== null) run.result = JSON.parse(r.result) as unknown;
  return run;
}

export const toTask = (r: TaskRow): TaskRun => ({
  task: r.task,
  mapIndex: r.map_index,
  state: r.state,
  worker: r.worker,
  message: r.message,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  updatedAt: r.updated_at,
});

export const toLog = (r: LogRow): LogLine => ({
  seq: r.seq,
  time: r.time,
  level: r.level,
  name: r.name,
  message: r.message,
  task: r.task,
  mapIndex: r.map_index,
  worker: r.worker,
});

export const toAgent = (r: AgentRow, live: boolean, runs: number[]): Agent => ({
  id: r.id,
  name: r.name,
  user: r.user_name,
  labels: JSON.parse(r.labels) as string[],
  concurrency: r.concurrency,
  gateway: r.gateway,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  live,
  runs,
});

/** Who is asking: admins see everything, others their own rows. */
export interface Viewer {
  name: string;
  admin: boolean;
}

/** Cursor pagination by descending integer id. */
export function pageOf<T>(
  items: T[],
  limit: number,
  idOf: (t: T) => number,
): { items: T[]; next: string | null } {
  if (items.length <= limit) return { items, next: null };
  const page = items.slice(0, limit);
  return { items: page, next: String(idOf(page[page.length - 1]!)) };
}

/** A cursor from a query: a positive integer id, or undefined; InvalidRequestError otherwise. */
export function cursorId(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const n = Number(cursor);
  if (!/^\d+$/.test(cursor) || !Number.isSafeInteger(n) || n <= 0)
    throw new InvalidRequestError(
      `cursor ${JSON.stringify(cursor)} is not one this server gave; pass the "next" of the previous page`,
    );
  return n;
}
