import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import {
  AppendLogsRequest,
  ListLogsQuery,
  ListTasksQuery,
  LogPage,
  Page,
  TaskRun,
  TaskStatesRequest,
  TaskSummary,
  Timeline,
  TimelineQuery,
} from "../api/index.ts";
import type { ServerContext } from "../server-context.ts";
import { STATE_CODES } from "../../graph/index.ts";
import { enumFilter } from "./enum-filter.ts";
import { IdParams, doc, viewerOf } from "./route-helpers.ts";

const Accepted = Type.Object({ accepted: Type.Integer() });

/** Task states, their summaries and timeline, and run logs. */
export function taskRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const store = ctx.store;
  const runOf = async (req: Parameters<typeof viewerOf>[1]) =>
    ctx.visibleRun(await viewerOf(ctx, req), (req.params as { id: number }).id);

  app.post(
    "/api/runs/:id/task-states",
    {
      schema: {
        ...doc("tasks", "Report task states (batch)"),
        params: IdParams,
        body: TaskStatesRequest,
        response: { 200: Accepted },
      },
    },
    async (req) => {
      const r = await runOf(req);
      const accepted = await store.tasks.upsert(
        r.id,
        (req.body as TaskStatesRequest).updates,
        Date.now(),
      );
      ctx.hub.changed(r.id);
      return { accepted };
    },
  );

  app.get(
    "/api/runs/:id/tasks",
    {
      schema: {
        ...doc("tasks", "A run's task runs (in update order)"),
        params: IdParams,
        querystring: ListTasksQuery,
        response: { 200: Page(TaskRun) },
      },
    },
    async (req) => {
      const q = req.query as ListTasksQuery;
      const states = enumFilter("state", q.state, STATE_CODES);
      return store.tasks.list((await runOf(req)).id, { ...q, state: states?.join(",") });
    },
  );

  app.get(
    "/api/runs/:id/tasks/summary",
    {
      schema: {
        ...doc("tasks", "Counts per task name and state"),
        params: IdParams,
        response: { 200: TaskSummary },
      },
    },
    async (req) => store.tasks.summary((await runOf(req)).id),
  );

  app.get(
    "/api/runs/:id/tasks/timeline",
    {
      schema: {
        ...doc("tasks", "A sample of task runs by start time"),
        params: IdParams,
        querystring: TimelineQuery,
        response: { 200: Timeline },
      },
    },
    async (req) =>
      store.tasks.timeline(
        (await runOf(req)).id,
        (req.query as { samples?: number }).samples ?? 500,
      ),
  );

  app.post(
    "/api/runs/:id/logs",
    {
      schema: {
        ...doc("logs", "Append log lines (batch)"),
        params: IdParams,
        body: AppendLogsRequest,
        response: { 200: Accepted },
      },
    },
    async (req) => {
      const r = await runOf(req);
      const accepted = await store.tasks.appendLogs(r.id, (req.body as AppendLogsRequest).lines);
      ctx.hub.changed(r.id);
      return { accepted };
    },
  );

  app.get(
    "/api/runs/:id/logs",
    {
      schema: {
        ...doc("logs", "A run's log lines after a seq"),
        params: IdParams,
        querystring: ListLogsQuery,
        response: { 200: LogPage },
      },
    },
    async (req) => store.tasks.logs((await runOf(req)).id, req.query as ListLogsQuery),
  );
}
