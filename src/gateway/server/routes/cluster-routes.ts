import { randomBytes, randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { makeClusterCredentials } from "../../tls/index.ts";
import { applyClusterOptions } from "../cluster-options.ts";
import type { ClusterRecord, ClusterStatus } from "../cluster-record.ts";
import { clusterStatuses, isFinal, JobStatus, publicStatus } from "../cluster-record.ts";
import {
  ClusterNotFoundError,
  ClusterNotRunningError,
  ForbiddenError,
  InvalidRequestError,
} from "../errors.ts";
import type { GatewayContext } from "../gateway-context.ts";
import { checkCreate, maxWorkers } from "../quotas.ts";
import { sendToScheduler } from "../scheduler-comm.ts";
import { authenticateUser, hasClusterToken, ownedCluster, validName } from "./request-auth.ts";
import { parseBody, queryFlag, queryValues, requestSchemas } from "./request-schemas.ts";

type Req = FastifyRequest<{
  Params: { name: string };
  Querystring: Record<string, string | string[] | undefined>;
}>;

async function user(ctx: GatewayContext, req: FastifyRequest, reply: FastifyReply) {
  const { user, setCookie } = await authenticateUser(ctx, req.headers, req.ip);
  if (setCookie) reply.header("set-cookie", setCookie);
  return user;
}

/** `?status=` as Dask Gateway takes it (comma-separated), or repeated; default PENDING+RUNNING. */
function parseStatusFilter(q: string | string[] | undefined): Set<ClusterStatus> {
  const values = queryValues(q);
  if (values.length === 0) return new Set(["PENDING", "RUNNING"]);
  const out = new Set<ClusterStatus>();
  for (const s of values) {
    const up = s.trim().toUpperCase() as ClusterStatus;
    if (!clusterStatuses.includes(up))
      throw new InvalidRequestError(
        `Invalid status ${JSON.stringify(s)}; use a comma-separated list of ${clusterStatuses.join(", ")}`,
      );
    out.add(up);
  }
  return out;
}

function runningOrThrow(c: ClusterRecord): void {
  const s = publicStatus(c);
  if (s !== "RUNNING") throw new ClusterNotRunningError(c.name, s);
}

/**
 * The Dask-Gateway-compatible cluster API plus flowgate's lease and logs extensions. Cluster
 * models carry exactly Dask Gateway's keys; `?extended=true` adds flowgate's (CONTRACTS.md).
 */
export function registerClusterRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const { reg, rec, cfg } = ctx;

  app.get("/api/v1/clusters/", async (req: Req, reply) => {
    const u = await user(ctx, req, reply);
    const want = parseStatusFilter(req.query.status);
    const extended = queryFlag(req.query.extended, "extended");
    const key = `${u.admin ? "*" : u.name}\0${[...want].sort().join(",")}\0${extended}`;
    const body = reg.cachedList(key, () => {
      const parts: string[] = [];
      for (const c of reg.visibleTo(u.name, u.admin)) {
        if (want.has(publicStatus(c)))
          parts.push(`${JSON.stringify(c.name)}:${reg.modelJson(c, extended)}`);
      }
      return `{${parts.join(",")}}`;
    });
    return reply.type("application/json").send(body);
  });

  app.post("/api/v1/clusters/", async (req, reply) => {
    const u = await user(ctx, req, reply);
    const body = parseBody(requestSchemas.create, req.body);
    const { options, config } = applyClusterOptions(cfg.options, body.cluster_options);
    const shutdownOnClose = body.shutdown_on_close ?? false;
    const ttl = body.lease_ttl;
    const name = randomUUID().replaceAll("-", "");
    const { tlsCert, tlsKey } = await makeClusterCredentials(name);
    const now = Date.now();
    const c: ClusterRecord = {
      name,
      user: u.name,
      status: JobStatus.CREATED,
      target: JobStatus.RUNNING,
      count: 0,
      adapt: null,
      options,
      config,
      state: {},
      token: randomBytes(32).toString("hex"),
      tlsCert,
      tlsKey,
      schedulerAddress: null,
      dashboardAddress: null,
      apiAddress: null,
      startTime: now,
      stopTime: null,
      stopReason: null,
      leaseTtl: typeof ttl === "number" ? ttl : null,
      shutdownOnClose,
      lastLease: now,
      lastHeartbeat: now,
      lastActivity: now,
      submittedAt: null,
      workerFailures: 0,
      version: 0,
    };
    reg.store.transaction(() => {
      checkCreate(cfg, reg, u.name, config);
      reg.add(c);
    });
    rec.enqueueCluster(name);
    return reply.code(201).send({ name });
  });

  app.get("/api/v1/clusters/:name", async (req: Req, reply) => {
    const u = await user(ctx, req, reply);
    const c = ownedCluster(ctx, u, req.params.name);
    const extended = queryFlag(req.query.extended, "extended");
    // Any ?wait value but "0"/"false" waits, as before (Dask Gateway's client sends a bare ?wait).
    const wait = [req.query.wait].flat().pop();
    if (wait !== undefined && wait !== "0" && wait !== "false") {
      const end = Date.now() + cfg.waitTimeoutMs;
      const abort = new AbortController();
      req.raw.once("close", () => abort.abort());
      while (publicStatus(c) === "PENDING" && Date.now() < end && !abort.signal.aborted) {
        await reg.waitForChange(c.name, end - Date.now(), abort.signal);
      }
    }
    return reply.type("application/json").send(reg.modelJson(c, extended));
  });

  app.delete("/api/v1/clusters/:name", async (req: Req, reply) => {
    const name = req.params.name;
    const c = validName(name) ? reg.get(name) : undefined;
    if (c && hasClusterToken(c, req.headers.authorization)) {
      rec.requestStop(c, JobStatus.STOPPED, "stopped by the scheduler");
      return reply.code(204).send();
    }
    const u = await user(ctx, req, reply);
    if (!c) return reply.code(204).send();
    if (c.user !== u.name && !u.admin) throw new ForbiddenError(name, u.name);
    rec.requestStop(
      c,
      JobStatus.STOPPED,
      c.user === u.name ? "stopped by the user" : `stopped by admin ${u.name}`,
    );
    return reply.code(204).send();
  });

  app.post("/api/v1/clusters/:name/scale", async (req: Req, reply) => {
    const u = await user(ctx, req, reply);
    const c = ownedCluster(ctx, u, req.params.name);
    const { count } = parseBody(requestSchemas.scale, req.body);
    runningOrThrow(c);
    c.lastActivity = Date.now();
    const max = maxWorkers(cfg, reg, c);
    const n = Math.min(count, max);
    await sendToScheduler(c, { op: "scale", count: n });
    ctx.countSetAt.set(c.name, Date.now());
    reg.update(c, { count: n, adapt: null });
    rec.enqueueCluster(c.name);
    const msg =
      n < count
        ? `Scale request of ${count} workers would exceed resource limits; scaling to ${n} instead`
        : null;
    return { ok: msg === null, msg };
  });

  app.post("/api/v1/clusters/:name/adapt", async (req: Req, reply) => {
    const u = await user(ctx, req, reply);
    const c = ownedCluster(ctx, u, req.params.name);
    const body = parseBody(requestSchemas.adapt, req.body);
    const active = body.active ?? true;
    let minimum = body.minimum ?? 0;
    const max = maxWorkers(cfg, reg, c);
    let maximum = body.maximum ?? (Number.isFinite(max) ? max : 1000);
    if (minimum > maximum)
      throw new InvalidRequestError(
        `"minimum" (${minimum}) must not be greater than "maximum" (${maximum})`,
      );
    runningOrThrow(c);
    c.lastActivity = Date.now();
    let msg: string | null = null;
    if (maximum > max || minimum > max) {
      msg = `Adapt with minimum ${minimum} and maximum ${maximum} would exceed resource limits; clamping to ${Math.min(minimum, max)}..${max}`;
      minimum = Math.min(minimum, max);
      maximum = max;
    }
    await sendToScheduler(c, { op: "adapt", minimum, maximum, active });
    reg.update(c, { adapt: active ? { minimum, maximum, active } : null });
    if (active) ctx.countSetAt.delete(c.name);
    return { ok: msg === null, msg };
  });

  app.post("/api/v1/clusters/:name/lease", async (req: Req, reply) => {
    const u = await user(ctx, req, reply);
    const c = ownedCluster(ctx, u, req.params.name);
    if (isFinal(c.status) || c.target !== JobStatus.RUNNING)
      throw new ClusterNotRunningError(c.name, publicStatus(c));
    c.lastLease = Date.now();
    c.lastActivity = c.lastLease;
    return reply.code(204).send();
  });

  // Ends the client lease: the cluster is kept until stopped (a client's keepClusterOnError).
  app.delete("/api/v1/clusters/:name/lease", async (req: Req, reply) => {
    const u = await user(ctx, req, reply);
    const c = ownedCluster(ctx, u, req.params.name);
    if (isFinal(c.status)) throw new ClusterNotRunningError(c.name, publicStatus(c));
    reg.update(c, { leaseTtl: null });
    return reply.code(204).send();
  });

  app.get("/api/v1/clusters/:name/logs", async (req: Req, reply) => {
    const u = await user(ctx, req, reply);
    const c = ownedCluster(ctx, u, req.params.name);
    if (!c) throw new ClusterNotFoundError(req.params.name);
    return reply.type("text/plain; charset=utf-8").send(await ctx.backend.logs(c));
  });
}
