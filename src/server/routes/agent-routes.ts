import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  Agent,
  AgentRegistered,
  ClaimRequest,
  ClaimResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  Page,
  RegisterAgentRequest,
} from "../api/index.ts";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors.ts";
import type { ServerContext } from "../server-context.ts";
import { toAgent, type AgentRow } from "../store/rows.ts";
import { IdParams, doc, viewerOf } from "./route-helpers.ts";

/** Agents: register, heartbeat, claim (long poll), list, leave. */
export function agentRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const store = ctx.store;
  const present = async (a: AgentRow) =>
    toAgent(
      a,
      a.gone === 0 && a.last_seen_at >= Date.now() - ctx.options.agentTimeoutMs,
      await store.agents.activeRunIds(a.id),
    );

  /** The agent if the caller is its user (or an admin); a gone agent is 409 (register again). */
  const ownAgent = async (req: FastifyRequest) => {
    const viewer = await viewerOf(ctx, req);
    const id = (req.params as { id: number }).id;
    const a = await store.agents.get(id);
    if (!a) throw new NotFoundError("agent", String(id));
    if (a.user_name !== viewer.name && !viewer.admin)
      throw new ForbiddenError(
        `agent ${id} belongs to ${JSON.stringify(a.user_name)}; you are ${JSON.stringify(viewer.name)}`,
      );
    if (a.gone)
      throw new ConflictError(
        `agent ${id} (${a.name}) was declared gone after no heartbeat for ${ctx.options.agentTimeoutMs / 1000} s and its runs were Crashed; register again with POST /api/agents`,
      );
    return { a, viewer };
  };

  app.post(
    "/api/agents",
    {
      schema: {
        ...doc("agents", "Register an agent"),
        body: RegisterAgentRequest,
        response: { 201: AgentRegistered },
      },
    },
    async (req, reply) => {
      const viewer = await viewerOf(ctx, req);
      const a = await store.agents.register(
        viewer.name,
        req.body as RegisterAgentRequest,
        Date.now(),
      );
      ctx.warnings.invalidate();
      ctx.options.log(
        "info",
        `Agent ${a.name} (id ${a.id}) of ${a.user_name} registered with labels ${a.labels}`,
      );
      return reply.code(201).send({
        agent: await present(a),
        heartbeatMs: ctx.options.heartbeatMs,
        timeoutMs: ctx.options.agentTimeoutMs,
      });
    },
  );

  app.post(
    "/api/agents/:id/heartbeat",
    {
      schema: {
        ...doc("agents", "Heartbeat; answers runs to cancel"),
        params: IdParams,
        body: HeartbeatRequest,
        response: { 200: HeartbeatResponse },
      },
    },
    async (req) => {
      const { a } = await ownAgent(req);
      await store.agents.seen(a.id, Date.now());
      return { cancel: await store.agents.cancellingRunIds(a.id) };
    },
  );

  app.post(
    "/api/agents/:id/claim",
    {
      schema: {
        ...doc("agents", "Claim ready runs (long poll)"),
        params: IdParams,
        body: ClaimRequest,
        response: { 200: ClaimResponse },
      },
    },
    async (req, reply) => {
      const { a, viewer } = await ownAgent(req);
      const body = req.body as ClaimRequest;
      const abort = new AbortController();
      // The response's close: the agent hung up (IncomingMessage's close only means "body read").
      reply.raw.on("close", () => abort.abort());
      return ctx.claims.claim(a, viewer.admin, body.max ?? 1, body.waitMs ?? 0, abort.signal);
    },
  );

  app.get(
    "/api/agents",
    { schema: { ...doc("agents", "Agents (not gone)"), response: { 200: Page(Agent) } } },
    async (req) => {
      const viewer = await viewerOf(ctx, req);
      const rows = await store.agents.list(viewer.admin ? null : viewer.name);
      return { items: await Promise.all(rows.map(present)), next: null };
    },
  );

  app.delete(
    "/api/agents/:id",
    {
      schema: {
        ...doc("agents", "An agent leaves (its active runs are Crashed)"),
        params: IdParams,
      },
    },
    async (req, reply) => {
      const { a } = await ownAgent(req);
      if (await store.agents.markGone(a.id)) {
        for (const r of await store.runs.activeOf(a.id))
          await ctx.runs
            .transition(r.id, "Crashed", {
              reason: `agent ${a.name} (id ${a.id}) left while the run was ${r.state}`,
            })
            .catch(() => {});
      }
      ctx.warnings.invalidate();
      return reply.code(204).send();
    },
  );
}
