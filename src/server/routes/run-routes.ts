import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import {
  CreateRunRequest,
  ListRunsQuery,
  Page,
  Run,
  RunCluster,
  RunCost,
  RunStateRecord,
  SetRunStateRequest,
} from "../api/index.ts";
import { ConflictError, InvalidRequestError } from "../errors.ts";
import { runStates } from "../api/run-state.ts";
import { agentReportable } from "../runs/run-transitions.ts";
import type { ServerContext } from "../server-context.ts";
import { enumFilter } from "./enum-filter.ts";
import { IdParams, doc, viewerOf } from "./route-helpers.ts";

/** A start time from ms or ISO 8601; 422 for anything else. */
function startTime(v: number | string | undefined, now: number): number {
  if (v === undefined) return now;
  if (typeof v === "number") return v;
  const t = Date.parse(v);
  if (!Number.isFinite(t))
    throw new InvalidRequestError(
      `startAt ${JSON.stringify(v)} is not an ISO 8601 time; use e.g. 2026-12-01T08:00:00Z`,
    );
  return t;
}

/** Creating, listing, cancelling runs; agent-reported states, cluster and cost. */
export function runRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const store = ctx.store;

  app.post(
    "/api/runs",
    {
      schema: {
        ...doc("runs", "Create a run"),
        body: CreateRunRequest,
        response: { 200: Run, 201: Run },
      },
    },
    async (req, reply) => {
      const viewer = await viewerOf(ctx, req);
      const body = req.body as CreateRunRequest;
      const now = Date.now();
      const flow = await store.flows.find(viewer, body.flow);
      const version = body.version ?? flow.latestVersion;
      const v = await store.flows.version(flow.id, version);
      const known = new Set(v.graph.parameters.map((p) => p.name));
      const unknown = Object.keys(body.parameters ?? {}).filter((k) => !known.has(k));
      if (unknown.length && v.graph.parameters.length)
        throw new InvalidRequestError(
          `flow ${flow.project}/${flow.name} has no parameter ${unknown.map((u) => JSON.stringify(u)).join(", ")}; its parameters are ${[...known].join(", ")}`,
        );
      const { run, created } = await store.runs.create(
        {
          flowId: flow.id,
          version,
          user: viewer.name,
          parameters: body.parameters ?? {},
          labels: body.labels ?? v.labels,
          scheduledAt: startTime(body.startAt, now),
          idempotencyKey: body.idempotencyKey ?? null,
        },
        now,
      );
      if (created) {
        await ctx.runs.changed(run, null, now);
        ctx.hub.ready();
      }
      return reply.code(created ? 201 : 200).send((await ctx.present([run]))[0]);
    },
  );

  app.get(
    "/api/runs",
    {
      schema: {
        ...doc("runs", "List runs, newest first"),
        querystring: ListRunsQuery,
        response: { 200: Page(Run) },
      },
    },
    async (req) => {
      const viewer = await viewerOf(ctx, req);
      const q = req.query as ListRunsQuery;
      const states = enumFilter("state", q.state, runStates);
      const flowId = q.flow ? (await store.flows.find(viewer, q.flow)).id : undefined;
      const page = await store.runs.list(viewer, { ...q, state: states?.join(","), flowId });
      return { items: await ctx.present(page.items), next: page.next };
    },
  );

  app.get(
    "/api/runs/:id",
    { schema: { ...doc("runs", "A run"), params: IdParams, response: { 200: Run } } },
    async (req) => {
      const r = await ctx.visibleRun(await viewerOf(ctx, req), (req.params as { id: number }).id);
      return (await ctx.present([r]))[0];
    },
  );

  app.get(
    "/api/runs/:id/states",
    {
      schema: {
        ...doc("runs", "A run's state history"),
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(RunStateRecord) }) },
      },
    },
    async (req) => {
      const r = await ctx.visibleRun(await viewerOf(ctx, req), (req.params as { id: number }).id);
      return { items: await store.runs.history(r.id) };
    },
  );

  app.post(
    "/api/runs/:id/cancel",
    { schema: { ...doc("runs", "Cancel a run"), params: IdParams, response: { 200: Run } } },
    async (req) => {
      const viewer = await viewerOf(ctx, req);
      const r = await ctx.visibleRun(viewer, (req.params as { id: number }).id);
      const reason = `cancelled by ${viewer.name}`;
      const to = r.state === "Scheduled" || r.state === "Queued" ? "Cancelled" : "Cancelling";
      if (r.state === "Cancelling") return (await ctx.present([r]))[0];
      const done = await ctx.runs.transition(r.id, to, { reason }).catch(async (e: unknown) => {
        if (e instanceof ConflictError) {
          // it moved on between the read and the change (e.g. claimed): try once more from the new state
          const again = await store.runs.get(r.id);
          if (again && (again.state === "Submitted" || again.state === "Running"))
            return ctx.runs.transition(r.id, "Cancelling", { reason });
        }
        throw e;
      });
      return (await ctx.present([done]))[0];
    },
  );

  app.post(
    "/api/runs/:id/state",
    {
      schema: {
        ...doc("runs", "Report a run's state (its agent)"),
        params: IdParams,
        body: SetRunStateRequest,
        response: { 200: Run },
      },
    },
    async (req) => {
      const viewer = await viewerOf(ctx, req);
      const r = await ctx.visibleRun(viewer, (req.params as { id: number }).id);
      const body = req.body as SetRunStateRequest;
      if (!agentReportable.includes(body.state))
        throw new InvalidRequestError(
          `an agent reports ${agentReportable.join(", ")}, not ${body.state}; cancel with POST /api/runs/${r.id}/cancel`,
        );
      if (body.agentId !== undefined && r.agent_id !== body.agentId)
        throw new ConflictError(
          `run ${r.id} is held by agent ${r.agent_id ?? "none"}, not ${body.agentId}`,
        );
      const done = await ctx.runs.transition(r.id, body.state, {
        reason: body.reason ?? null,
        result: body.result,
      });
      return (await ctx.present([done]))[0];
    },
  );

  app.put(
    "/api/runs/:id/cluster",
    {
      schema: {
        ...doc("runs", "Record the run's cluster"),
        params: IdParams,
        body: RunCluster,
        response: { 200: Run },
      },
    },
    async (req) => {
      const r = await ctx.visibleRun(await viewerOf(ctx, req), (req.params as { id: number }).id);
      const c = req.body as RunCluster;
      await store.runs.setJson(r.id, "cluster", c, Date.now());
      ctx.hub.changed(r.id);
      if (c.status === "FAILED" && ["Submitted", "Running", "Cancelling"].includes(r.state)) {
        const done = await ctx.runs
          .transition(r.id, "Crashed", {
            reason: `cluster ${c.name} FAILED: ${c.stopReason ?? "no reason given"}`,
          })
          .catch(() => undefined);
        if (done) return (await ctx.present([done]))[0];
      }
      return (await ctx.present([(await store.runs.get(r.id))!]))[0];
    },
  );

  app.put(
    "/api/runs/:id/cost",
    {
      schema: {
        ...doc("runs", "Record the run's cost"),
        params: IdParams,
        body: RunCost,
        response: { 200: Run },
      },
    },
    async (req) => {
      const r = await ctx.visibleRun(await viewerOf(ctx, req), (req.params as { id: number }).id);
      await store.runs.setJson(r.id, "cost", req.body, Date.now());
      ctx.hub.changed(r.id);
      return (await ctx.present([(await store.runs.get(r.id))!]))[0];
    },
  );
}
