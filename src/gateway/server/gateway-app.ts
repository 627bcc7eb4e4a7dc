import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { readFileSync } from "node:fs";
import { registerDashboardProxy } from "./dashboard-proxy.ts";
import { registerGatewayDashboard } from "./dashboard/gateway-dashboard.ts";
import {
  GatewayError,
  MethodNotAllowedError,
  TooManyAttemptsError,
  UnsupportedMediaTypeError,
} from "./errors.ts";
import type { GatewayContext } from "./gateway-context.ts";
import { registerClusterRoutes } from "./routes/cluster-routes.ts";
import { registerHeartbeatRoute } from "./routes/heartbeat-route.ts";
import { registerInfoRoutes } from "./routes/info-routes.ts";
import { trackApiRoutes } from "./routes/method-not-allowed.ts";
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
  const cfg = ctx.cfg;
  // Slow clients: Node answers 408 and closes a connection whose headers (or whole request) did
  // not arrive in time, checked every second instead of Node's default 30 s.
  const timeouts = {
    headersTimeout: cfg.headersTimeoutMs,
    requestTimeout: cfg.bodyTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, cfg.headersTimeoutMs),
  };
  const common = {
    bodyLimit: cfg.bodyLimit,
    requestTimeout: cfg.bodyTimeoutMs,
    logger: false,
    return503OnClosing: true,
  } as const;
  const app = (cfg.tls
    ? Fastify({
        ...common,
        https: { cert: readFileSync(cfg.tls.cert), key: readFileSync(cfg.tls.key), ...timeouts },
      })
    : Fastify({ ...common, http: timeouts })) as unknown as FastifyInstance;
  app.server.headersTimeout = cfg.headersTimeoutMs;
  const allowedMethods = trackApiRoutes(app);

  // API bodies are JSON (a missing Content-Type is taken as JSON, as some clients omit it);
  // anything else is 415. Dashboard requests under /clusters/ are passed on as they are.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (req, body, done) => {
    const text = body as string;
    if (req.url.startsWith("/clusters/")) return done(null, text);
    const type = req.headers["content-type"];
    if (type !== undefined && !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type))
      return done(new UnsupportedMediaTypeError(type, req.url.split("?")[0]!), undefined);
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
      if (e instanceof TooManyAttemptsError) reply.header("retry-after", String(e.retryAfterS));
      if (e instanceof MethodNotAllowedError) reply.header("allow", e.allowed.join(", "));
      return reply.code(e.status).send({ error: e.message });
    }
    const mapped = fastifyErrorToReply(e, cfg.bodyLimit);
    if (mapped) return reply.code(mapped.status).send({ error: mapped.message });
    ctx.log.error({ err: e }, "Request failed");
    return reply.code(500).send({ error: "Internal server error" });
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split("?")[0]!;
    const allowed = allowedMethods(path);
    if (allowed.length) throw new MethodNotAllowedError(req.method, path, allowed);
    return reply.code(404).send({ error: `Not found: ${req.method} ${path}` });
  });

  registerInfoRoutes(app, ctx);
  registerClusterRoutes(app, ctx);
  registerHeartbeatRoute(app, ctx);
  registerDashboardProxy(app, ctx);
  registerGatewayDashboard(app, ctx);
  attachUpgradeHandler(app.server, ctx);
  return app;
}
