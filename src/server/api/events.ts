import type { LogLine } from "./logs.ts";
import type { Run, RunCluster, RunCost } from "./runs.ts";
import type { TaskRun, TaskSummary, Timeline } from "./tasks.ts";

/**
 * Server-sent events of GET /api/runs/{id}/events (one run) and GET /api/events?flow=… (all runs
 * you can see: only `run` events). Each SSE message has `event: <type>` and `data: <JSON>`.
 * The stream of one run starts with a `run` event (the current run), then the logs so far
 * (`logs`), then live changes; it ends after the run finishes (a final `run` event, then `end`).
 *
 * `?tasks=all` (default) sends every task run, then the changed ones (`tasks`); `?tasks=live` only
 * those changed after the stream opened. `?tasks=summary` sends no task rows: a `summary` (the
 * exact counts of GET …/tasks/summary) at the start, then at most once a second while task runs
 * change, and a `timeline` (GET …/tasks/timeline?samples=600) at the start, then at most every
 * 3 s while they change; both once more right before `end`.
 */
export type RunEvent =
  | { type: "run"; run: Run }
  | { type: "tasks"; runId: number; tasks: TaskRun[] }
  | { type: "summary"; runId: number; summary: TaskSummary }
  | { type: "timeline"; runId: number; timeline: Timeline }
  | { type: "logs"; runId: number; lines: LogLine[] }
  | { type: "cluster"; runId: number; cluster: RunCluster }
  | { type: "cost"; runId: number; cost: RunCost }
  | { type: "end"; runId: number };

export type RunEventType = RunEvent["type"];
