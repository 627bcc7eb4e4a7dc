import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { readFileSync } from "node:fs";
import { registerDashboardProxy } from "./dashboard-proxy.ts";
import { registerGatewayDashboard } from "./dashboard/gateway-dashboard.ts";
import { GatewayError } from "./errors.ts";
import type { GatewayContext } from "./gateway-context.ts";
import { registerClusterRoutes } from "./routes/cluster-routes.ts";
import { registerHeartbeatRoute } from "./routes/heartbeat-route.ts";
import { registerInfoRoutes } from "./routes/info-routes.ts";
import { attachUpgradeHandler } from "./scheduler-tunnel.ts";

/** Fastify's own error codes mapped to the gateway's status codes and messages. */
function fastifyErrorToReply(
  e: FastifyError,
  limit: number,
): { status: number; message: string } | undefined {
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, message: `Request body is larger than ${limit} bytes; send less` };
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return { status: 400, message: "Content-Length does not match the body" };
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return { status: 422, message: `Malformed JSON body: ${e.message}` };
    default:
      if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500)
        return { status: e.statusCode, message: e.message };
      return undefined;
  }
}

/** Builds the gateway's HTTP(S) app: REST API, heartbeat, dashboard proxy, scheduler tunnel. */
export function buildGatewayApp(ctx: GatewayContext): FastifyInstance {
  const tls = ctx.cfg.tls;
  const app = (tls
    ? Fastify({
        https: { cert: readFileSync(tls.cert), key: readFileSync(tls.key) },
        bodyLimit: ctx.cfg.bodyLimit,
        logger: false,
        return503OnClosing: true,
      })
    : Fastify({
        bodyLimit: ctx.cfg.bodyLimit,
        logger: false,
        return503OnClosing: true,
      })) as unknown as FastifyInstance;

  // One parser for every content type: JSON for the API (clients do not always send a JSON
  // content type), the raw text for dashboard requests that are passed on as they are.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (req, body, done) => {
    const text = body as string;
    if (req.url.startsWith("/clusters/")) return done(null, text);
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      const err = new Error((e as Error).message) as FastifyError;
      (err as { code: string }).code = "FST_ERR_CTP_INVALID_JSON_BODY";
      done(err, undefined);
    }
  });

  app.setErrorHandler((e: FastifyError, _req, reply) => {
    if (e instanceof GatewayError) {
      if (e.status === 401 && !reply.hasHeader("www-authenticate"))
        reply.header("www-authenticate", ctx.auth.challenge);
      return reply.code(e.status).send({ error: e.message });
    }
    const mapped = fastifyErrorToReply(e, ctx.cfg.bodyLimit);
    if (mapped) return reply.code(mapped.status).send({ error: mapped.message });
    ctx.log.error({ err: e }, "Request failed");
    return reply.code(500).send({ error: "Internal server error" });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: `Not found: ${req.method} ${req.url.split("?")[0]}` }),
  );

  registerInfoRoutes(app, ctx);
  registerClusterRoutes(app, ctx);
  registerHeartbeatRoute(app, ctx);
  registerDashboardProxy(app, ctx);
  registerGatewayDashboard(app, ctx);
  attachUpgradeHandler(app.server, ctx);
  return app;
}
