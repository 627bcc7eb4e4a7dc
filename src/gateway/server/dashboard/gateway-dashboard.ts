import { readFileSync } from "node:fs";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isFinal, JobStatus, publicStatus, type ClusterRecord } from "../cluster-record.ts";
import type { GatewayContext } from "../gateway-context.ts";
import { authenticateUser } from "../routes/request-auth.ts";
import { gatewayDashboardPage } from "./gateway-page.ts";
import { gatewayMetrics } from "./gateway-metrics.ts";
import { PROMETHEUS_CONTENT_TYPE } from "../../../common/index.ts";

/** Finished clusters listed besides the active ones, newest first. */
const RECENT_FINISHED = 25;

const staticFiles: Record<string, string> = {
  "gateway-dashboard.js": "text/javascript; charset=utf-8",
  "gateway-dashboard.css": "text/css; charset=utf-8",
};

/** One row of the gateway dashboard: no certificates or keys, which a browser does not need. */
function row(ctx: GatewayContext, c: ClusterRecord) {
  const status = publicStatus(c);
  let running = 0;
  let pending = 0;
  for (const w of ctx.reg.workers(c.name)) {
    if (w.target !== JobStatus.RUNNING || isFinal(w.status)) continue;
    if (w.status === JobStatus.RUNNING) running++;
    else pending++;
  }
  return {
    name: c.name,
    user: c.user,
    status,
    start_time: c.startTime,
    stop_time: c.stopTime,
    stop_reason: c.stopReason,
    workers: { target: c.count, running, pending },
    adapt: c.adapt,
    dashboard_route:
      status === "RUNNING" && c.dashboardAddress ? `/clusters/${c.name}/status` : null,
    logs_route: `/api/v1/clusters/${c.name}/logs`,
  };
}

/**
 * The gateway's own pages: GET / (the user's clusters, or everyone's for an admin, with links
 * to their dashboards and logs and a stop button that calls DELETE /api/v1/clusters/{name}),
 * GET /dashboard/api/clusters (its data), its static files, and GET /metrics (Prometheus;
 * aggregate counts only, no names, so it needs no credentials, like /api/health).
 */
export function registerGatewayDashboard(app: FastifyInstance, ctx: GatewayContext): void {
  const auth = async (req: FastifyRequest, reply: FastifyReply) => {
    const { user, setCookie } = await authenticateUser(ctx, req.headers, req.ip);
    if (setCookie) reply.header("set-cookie", setCookie);
    return user;
  };

  app.get("/", async (req, reply) => {
    const user = await auth(req, reply);
    return reply
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-store")
      .send(gatewayDashboardPage(user.name, user.admin, ctx.version));
  });

  app.get("/dashboard/api/clusters", async (req, reply) => {
    const user = await auth(req, reply);
    const active: ClusterRecord[] = [];
    const finished: ClusterRecord[] = [];
    for (const c of ctx.reg.visibleTo(user.name, user.admin))
      (isFinal(c.status) ? finished : active).push(c);
    finished.sort((a, b) => (b.stopTime ?? b.startTime) - (a.stopTime ?? a.startTime));
    active.sort((a, b) => b.startTime - a.startTime);
    const list = [...active, ...finished.slice(0, RECENT_FINISHED)];
    return reply.header("cache-control", "no-store").send({
      user: user.name,
      admin: user.admin,
      now: Date.now(),
      clusters: list.map((c) => row(ctx, c)),
    });
  });

  app.get(
    "/dashboard/static/:file",
    async (req: FastifyRequest<{ Params: { file: string } }>, reply) => {
      const type = staticFiles[req.params.file];
      if (!type) return reply.code(404).send({ error: `Not found: ${req.url}` });
      const body = readFileSync(new URL(`./static/${req.params.file}`, import.meta.url));
      return reply.type(type).header("cache-control", "max-age=300").send(body);
    },
  );

  app.get("/metrics", async (_req, reply) =>
    reply.type(PROMETHEUS_CONTENT_TYPE).send(gatewayMetrics(ctx.reg)),
  );
}
