import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import {
  ConcurrencyLimit,
  CreateWebhookRequest,
  LimitScope,
  SetLimitRequest,
  Webhook,
  WebhookDelivery,
} from "../api/index.ts";
import { ForbiddenError, NotFoundError } from "../errors.ts";
import type { ServerContext } from "../server-context.ts";
import { toWebhook } from "../store/webhook-store.ts";
import { IdParams, doc, viewerOf } from "./route-helpers.ts";

const LimitParams = Type.Object({
  scope: LimitScope,
  key: Type.String({ minLength: 1, maxLength: 200 }),
});

/** Concurrency limits (admins set them) and webhooks (each user their own). */
export function adminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const store = ctx.store;

  app.get(
    "/api/concurrency-limits",
    {
      schema: {
        ...doc("limits", "Concurrency limits and their use"),
        response: { 200: Type.Object({ items: Type.Array(ConcurrencyLimit) }) },
      },
    },
    async (req) => {
      await viewerOf(ctx, req);
      return { items: await store.agents.limitsWithUse() };
    },
  );

  app.put(
    "/api/concurrency-limits/:scope/:key",
    {
      schema: {
        ...doc("limits", "Set a concurrency limit (admins)"),
        params: LimitParams,
        body: SetLimitRequest,
        response: { 200: ConcurrencyLimit },
      },
    },
    async (req) => {
      const viewer = await viewerOf(ctx, req);
      if (!viewer.admin)
        throw new ForbiddenError(
          `only admins set concurrency limits; ${JSON.stringify(viewer.name)} is not one`,
        );
      const p = req.params as { scope: "flow" | "label"; key: string };
      let key = p.key;
      if (p.scope === "flow") key = String((await store.flows.find(viewer, key)).id);
      await store.agents.setLimit(p.scope, key, (req.body as SetLimitRequest).limit);
      ctx.hub.ready();
      return (await store.agents.limitsWithUse()).find(
        (l) => l.scope === p.scope && l.key === key,
      )!;
    },
  );

  app.delete(
    "/api/concurrency-limits/:scope/:key",
    { schema: { ...doc("limits", "Remove a concurrency limit (admins)"), params: LimitParams } },
    async (req, reply) => {
      const viewer = await viewerOf(ctx, req);
      if (!viewer.admin)
        throw new ForbiddenError(
          `only admins remove concurrency limits; ${JSON.stringify(viewer.name)} is not one`,
        );
      const p = req.params as { scope: "flow" | "label"; key: string };
      let key = p.key;
      if (p.scope === "flow") key = String((await store.flows.find(viewer, key)).id);
      if (!(await store.agents.deleteLimit(p.scope, key)))
        throw new NotFoundError("concurrency-limit", `${p.scope}/${key}`);
      ctx.hub.ready();
      return reply.code(204).send();
    },
  );

  app.post(
    "/api/webhooks",
    {
      schema: {
        ...doc("webhooks", "Create a webhook"),
        body: CreateWebhookRequest,
        response: { 201: Webhook },
      },
    },
    async (req, reply) => {
      const viewer = await viewerOf(ctx, req);
      const body = req.body as CreateWebhookRequest;
      if (body.allUsers && !viewer.admin)
        throw new ForbiddenError(
          `only admins create webhooks with allUsers (runs of every user); ${JSON.stringify(viewer.name)} is not one: drop allUsers to get your own runs`,
        );
      for (const f of body.flows ?? []) await store.flows.find(viewer, f);
      const row = await store.webhooks.create(viewer.name, body, Date.now());
      ctx.webhooks.invalidate();
      return reply.code(201).send(toWebhook(row));
    },
  );

  app.get(
    "/api/webhooks",
    {
      schema: {
        ...doc("webhooks", "Your webhooks"),
        response: { 200: Type.Object({ items: Type.Array(Webhook) }) },
      },
    },
    async (req) => {
      const viewer = await viewerOf(ctx, req);
      const rows = await store.webhooks.all();
      return {
        items: rows.filter((w) => viewer.admin || w.user_name === viewer.name).map(toWebhook),
      };
    },
  );

  const ownHook = async (req: Parameters<typeof viewerOf>[1]) => {
    const viewer = await viewerOf(ctx, req);
    const id = (req.params as { id: number }).id;
    const w = await store.webhooks.get(id);
    if (!w || (!viewer.admin && w.user_name !== viewer.name))
      throw new NotFoundError("webhook", String(id));
    return w;
  };

  app.delete(
    "/api/webhooks/:id",
    { schema: { ...doc("webhooks", "Delete a webhook"), params: IdParams } },
    async (req, reply) => {
      await store.webhooks.delete((await ownHook(req)).id);
      ctx.webhooks.invalidate();
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/webhooks/:id/deliveries",
    {
      schema: {
        ...doc("webhooks", "A webhook's deliveries"),
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(WebhookDelivery) }) },
      },
    },
    async (req) => ({
      items: await store.webhooks.deliveries((await ownHook(req)).id),
    }),
  );
}
