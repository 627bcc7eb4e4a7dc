import { createHash } from "node:crypto";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import {
  BundleHash,
  BundleStored,
  FlowVersion,
  ListFlowsQuery,
  RegisterFlowRequest,
  RegisterFlowResponse,
  ScheduleInput,
  Schedule,
  Flow,
  Page,
} from "../api/index.ts";
import { InvalidRequestError, NotFoundError } from "../errors.ts";
import { validateClock } from "../scheduling/clocks.ts";
import type { ServerContext } from "../server-context.ts";
import { toSchedule } from "../store/schedule-store.ts";
import type { Viewer } from "../store/rows.ts";
import { IdParams, VersionParams, doc, viewerOf } from "./route-helpers.ts";

const credentialKey = /pass(word)?|secret|token|credential|private|tls_?key|api_?key/i;

/** Refuses environment options that look like credentials: those must be secret names. */
function checkEnvironment(req: RegisterFlowRequest): void {
  for (const k of Object.keys(req.environment?.options ?? {}))
    if (credentialKey.test(k))
      throw new InvalidRequestError(
        `environment option ${JSON.stringify(k)} looks like a credential, which the server never stores in clear; ` +
          `move it to "secrets": { ${JSON.stringify(k)}: "<SECRET_NAME>" } and give the agent that secret`,
      );
}

/** Bundles, flow registration, versions and schedules. */
export function flowRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const store = ctx.store;
  const HashParams = Type.Object({ hash: BundleHash });

  app.put(
    "/api/bundles/:hash",
    {
      schema: {
        ...doc("flows", "Upload a bundle (content-addressed)"),
        params: HashParams,
        response: { 200: BundleStored, 201: BundleStored },
      },
    },
    async (req, reply) => {
      await viewerOf(ctx, req);
      const { hash } = req.params as { hash: string };
      if (!Buffer.isBuffer(req.body))
        throw new InvalidRequestError(
          "send the bundle's bytes with Content-Type: application/octet-stream",
        );
      const got = createHash("sha256").update(req.body).digest("hex");
      if (got !== hash)
        throw new InvalidRequestError(
          `the body's sha256 is ${got}, not ${hash}; upload to PUT /api/bundles/${got}`,
        );
      const created = await store.flows.putBundle(hash, req.body, Date.now());
      return reply.code(created ? 201 : 200).send({ hash, size: req.body.length, created });
    },
  );

  app.get(
    "/api/bundles/:hash",
    { schema: { ...doc("flows", "Download a bundle"), params: HashParams } },
    async (req, reply) => {
      const viewer = await viewerOf(ctx, req);
      const { hash } = req.params as { hash: string };
      // Someone else's bundle answers as if absent: neither its code nor its existence leaks.
      const visible = await store.flows.bundleVisibleTo(viewer, hash);
      const bytes = visible ? await store.flows.getBundle(hash) : undefined;
      if (!bytes) throw new NotFoundError("bundle", hash);
      return reply.type("application/octet-stream").send(bytes);
    },
  );

  app.post(
    "/api/flows",
    {
      schema: {
        ...doc("flows", "Register a flow (new version only when the code's hash changes)"),
        body: RegisterFlowRequest,
        response: { 200: RegisterFlowResponse, 201: RegisterFlowResponse },
      },
    },
    async (req, reply) => {
      const viewer = await viewerOf(ctx, req);
      const body = req.body as RegisterFlowRequest;
      checkEnvironment(body);
      body.schedule?.clocks.forEach(validateClock);
      const now = Date.now();
      const out = await store.flows.register(viewer, body, now);
      if (out.created && out.version.version > 1)
        await store.db.run(
          "UPDATE runs SET version = ? WHERE flow_id = ? AND state = 'Scheduled' AND clock IS NOT NULL",
          [out.version.version, out.flow.id],
        );
      if (body.schedule) await store.schedules.set(out.flow.id, body.schedule, undefined, now);
      if (body.schedule) void ctx.schedules.tick();
      return reply.code(out.created ? 201 : 200).send(out);
    },
  );

  app.get(
    "/api/flows",
    {
      schema: {
        ...doc("flows", "List flows"),
        querystring: ListFlowsQuery,
        response: { 200: Page(Flow) },
      },
    },
    async (req) => store.flows.list(await viewerOf(ctx, req), req.query as ListFlowsQuery),
  );

  const flowOf = async (viewer: Viewer, id: number) => store.flows.find(viewer, id);

  app.get(
    "/api/flows/:id",
    { schema: { ...doc("flows", "A flow"), params: IdParams, response: { 200: Flow } } },
    async (req) => flowOf(await viewerOf(ctx, req), (req.params as { id: number }).id),
  );

  app.get(
    "/api/flows/:id/versions",
    {
      schema: {
        ...doc("flows", "A flow's versions, newest first"),
        params: IdParams,
        response: { 200: Page(FlowVersion) },
      },
    },
    async (req) => {
      const f = await flowOf(await viewerOf(ctx, req), (req.params as { id: number }).id);
      return { items: await store.flows.versions(f.id), next: null };
    },
  );

  app.get(
    "/api/flows/:id/versions/:version",
    {
      schema: {
        ...doc("flows", "One version of a flow"),
        params: VersionParams,
        response: { 200: FlowVersion },
      },
    },
    async (req) => {
      const p = req.params as { id: number; version: number };
      const f = await flowOf(await viewerOf(ctx, req), p.id);
      return store.flows.version(f.id, p.version);
    },
  );

  const scheduleOut = async (flowId: number) => {
    const s = await store.schedules.get(flowId);
    const now = Date.now();
    if (!s) return { flowId, active: false, clocks: [], upcoming: [], updatedAt: now };
    return toSchedule(s, now, ctx.options.scheduleAhead);
  };

  app.get(
    "/api/flows/:id/schedule",
    {
      schema: {
        ...doc("schedules", "A flow's schedule"),
        params: IdParams,
        response: { 200: Schedule },
      },
    },
    async (req) => {
      const f = await flowOf(await viewerOf(ctx, req), (req.params as { id: number }).id);
      return scheduleOut(f.id);
    },
  );

  app.put(
    "/api/flows/:id/schedule",
    {
      schema: {
        ...doc("schedules", "Set a flow's schedule (clocks)"),
        params: IdParams,
        body: ScheduleInput,
        response: { 200: Schedule },
      },
    },
    async (req) => {
      const f = await flowOf(await viewerOf(ctx, req), (req.params as { id: number }).id);
      const body = req.body as ScheduleInput;
      body.clocks.forEach(validateClock);
      await store.schedules.set(f.id, body, undefined, Date.now());
      await ctx.schedules.tick();
      return scheduleOut(f.id);
    },
  );

  for (const [verb, active] of [
    ["pause", false],
    ["resume", true],
  ] as const) {
    app.post(
      `/api/flows/:id/schedule/${verb}`,
      {
        schema: {
          ...doc("schedules", `${verb} a flow's schedule`),
          params: IdParams,
          response: { 200: Schedule },
        },
      },
      async (req) => {
        const f = await flowOf(await viewerOf(ctx, req), (req.params as { id: number }).id);
        if (!(await store.schedules.get(f.id)))
          throw new InvalidRequestError(
            `flow ${f.id} has no schedule; set one with PUT /api/flows/${f.id}/schedule`,
          );
        await store.schedules.set(f.id, null, active, Date.now());
        await ctx.schedules.tick();
        return scheduleOut(f.id);
      },
    );
  }
}
