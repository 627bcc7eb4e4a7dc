import type { FastifyInstance } from "fastify";
import { optionsSpecBody } from "../cluster-options.ts";
import type { GatewayContext } from "../gateway-context.ts";
import { authenticateUser } from "./request-auth.ts";

/** GET /api/health, /api/version (no auth) and /api/v1/options (user auth). */
export function registerInfoRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const optionsBody = JSON.stringify(optionsSpecBody(ctx.cfg.options));
  app.get("/api/health", async () => ({ status: "pass" }));
  app.get("/api/version", async () => ({ version: ctx.version }));
  app.get("/api/v1/options", async (req, reply) => {
    const { setCookie } = await authenticateUser(ctx, req.headers, req.ip);
    if (setCookie) reply.header("set-cookie", setCookie);
    return reply.type("application/json").send(optionsBody);
  });
}
