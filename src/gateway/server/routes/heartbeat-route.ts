import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ClusterRecord } from "../cluster-record.ts";
import { isFinal, JobStatus } from "../cluster-record.ts";
import { AuthRequiredError, ClusterNotFoundError } from "../errors.ts";
import type { GatewayContext } from "../gateway-context.ts";
import { maxWorkers } from "../quotas.ts";
import { hasClusterToken, validName } from "./request-auth.ts";
import { parseBody, requestSchemas } from "./request-schemas.ts";

type HeartbeatBody = ReturnType<typeof parseBody<typeof requestSchemas.heartbeat>>;

/**
 * Applies one scheduler heartbeat (CONTRACTS.md): addresses, the wanted worker count and the
 * worker sets. Writes only records and targets, then enqueues the cluster.
 */
export function applyHeartbeat(ctx: GatewayContext, c: ClusterRecord, body: HeartbeatBody): void {
  const { reg, rec } = ctx;
  const now = Date.now();
  const patch: Partial<ClusterRecord> = { lastHeartbeat: now };
  const sched = body.scheduler_address;
  if (sched && c.status < JobStatus.RUNNING && !c.schedulerAddress) {
    patch.schedulerAddress = sched;
    patch.dashboardAddress = body.dashboard_address ?? null;
    patch.apiAddress = body.api_address ?? patch.dashboardAddress;
  }
  const count = body.count ?? null;
  const setAt = ctx.countSetAt.get(c.name) ?? 0;
  if (count !== null && count !== c.count && (c.adapt?.active || now - setAt > 2000)) {
    patch.count = Math.min(count, maxWorkers(ctx.cfg, reg, c));
  }
  const active = new Set(body.active_workers ?? []);
  const closing = new Set(body.closing_workers ?? []);
  const closed = new Set(body.closed_workers ?? []);
  // Idle = no busy heartbeat (optional "busy" key), no adaptive workers, no user traffic.
  if (body.busy === true || (body.busy === undefined && c.adapt?.active && active.size > 0))
    c.lastActivity = now;
  let connected = false;
  for (const w of reg.workers(c.name)) {
    if (isFinal(w.status)) continue;
    if (active.has(w.name) && w.status < JobStatus.RUNNING && w.target === JobStatus.RUNNING) {
      reg.updateWorker(w, { status: JobStatus.RUNNING });
      connected = true;
    }
    if (closing.has(w.name) && !w.closeExpected) reg.updateWorker(w, { closeExpected: true });
    if (closed.has(w.name) && w.target === JobStatus.RUNNING) {
      reg.updateWorker(w, { target: w.closeExpected ? JobStatus.STOPPED : JobStatus.FAILED });
      rec.enqueueWorker(w);
    }
  }
  if (connected) patch.workerFailures = 0;
  reg.update(c, patch);
  rec.enqueueCluster(c.name);
}

/** POST /api/v1/clusters/{name}/heartbeat, authenticated by the cluster token. */
export function registerHeartbeatRoute(app: FastifyInstance, ctx: GatewayContext): void {
  app.post(
    "/api/v1/clusters/:name/heartbeat",
    async (req: FastifyRequest<{ Params: { name: string } }>, reply) => {
      const name = req.params.name;
      const c = validName(name) ? ctx.reg.get(name) : undefined;
      if (!req.headers.authorization?.toLowerCase().startsWith("token ")) {
        reply.header("www-authenticate", "token");
        throw new AuthRequiredError("Cluster token required");
      }
      if (!c) throw new ClusterNotFoundError(name);
      if (!hasClusterToken(c, req.headers.authorization)) {
        reply.header("www-authenticate", "token");
        throw new AuthRequiredError("Invalid cluster token");
      }
      const body = parseBody(requestSchemas.heartbeat, req.body);
      if (!isFinal(c.status) && c.target === JobStatus.RUNNING) applyHeartbeat(ctx, c, body);
      return reply.code(200).send();
    },
  );
}
