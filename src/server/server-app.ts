import swagger from "@fastify/swagger";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { ServerApiError } from "./errors.ts";
import { TooManyAttemptsError } from "../gateway/server/errors.ts";
import { adminRoutes } from "./routes/admin-routes.ts";
import { agentRoutes } from "./routes/agent-routes.ts";
import { eventRoutes } from "./routes/event-routes.ts";
import { flowRoutes } from "./routes/flow-routes.ts";
import { loginRoutes } from "./routes/login-routes.ts";
import { infoRoutes } from "./routes/info-routes.ts";
import { runRoutes } from "./routes/run-routes.ts";
import { taskRoutes } from "./routes/task-routes.ts";
import { validationMessage } from "./routes/validation-message.ts";
import type { ServerContext } from "./server-context.ts";
import { registerUi } from "./ui/ui-routes.ts";

/**
 * The server's HTTP app: fastify validating every body, query and path against the TypeBox
 * schemas of src/server/api (unknown keys are refused, not dropped), OpenAPI generated from the
 * same schemas, and one error handler that turns every failure into `{"error"}` with a 4xx —
 * a 5xx only for a server bug (logged).
 */
export async function buildServerApp(ctx: ServerContext): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: ctx.options.bodyLimit,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", useDefaults: false } },
    forceCloseConnections: true,
  });
  // Answers are built by our own code from typed rows: plain JSON.stringify, no field stripping.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addContentTypeParser("application/octet-stream", { parseAs: "buffer" }, (_req, body, done) =>
    done(null, body),
  );
  app.addHook("preValidation", async (req) => {
    if (
      (req.method === "POST" || req.method === "PUT") &&
      (req.body === undefined || req.body === null) &&
      !req.url.startsWith("/api/bundles/")
    )
      req.body = {};
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof ServerApiError) {
      // The web UI asks with X-Requested-With and gets the scheme in X-Flowgate-Auth instead, so
      // the browser does not open its own login dialog over the UI's login form.
      if (err.status === 401)
        void reply.header(
          req.headers["x-requested-with"] ? "x-flowgate-auth" : "www-authenticate",
          ctx.auth.challenge,
        );
      return reply.code(err.status).send({ error: err.message });
    }
    if (err.validation) {
      const where = err.validationContext ?? "request";
      const input = where === "body" ? req.body : where === "querystring" ? req.query : req.params;
      const what = validationMessage(where, err.validation, input);
      return reply.code(422).send({
        error: `invalid ${where}: ${what}; see /api/openapi.json for ${req.method} ${req.routeOptions.url ?? req.url}`,
      });
    }
    if (err instanceof TooManyAttemptsError)
      return reply
        .code(429)
        .header("retry-after", String(err.retryAfterS))
        .send({ error: err.message });
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send({ error: err.message });
    ctx.options.log("warn", `${req.method} ${req.url} failed: ${err.stack ?? err.message}`);
    return reply.code(500).send({ error: `internal error: ${err.message}` });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({
      error: `no route ${req.method} ${req.url.split("?")[0]}; the API is listed at /api/openapi.json`,
    }),
  );

  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "flowgate server",
        description: "Registered flows, runs, agents, schedules, limits, webhooks",
        version: "1",
      },
      components: {
        securitySchemes: {
          basic: { type: "http", scheme: "basic" },
          bearer: { type: "http", scheme: "bearer" },
        },
      },
    },
  });
  infoRoutes(app, ctx);
  loginRoutes(app, ctx);
  flowRoutes(app, ctx);
  runRoutes(app, ctx);
  taskRoutes(app, ctx);
  eventRoutes(app, ctx);
  agentRoutes(app, ctx);
  adminRoutes(app, ctx);
  registerUi(app);
  await app.ready();
  return app;
}
