import type { FastifyInstance } from "fastify";
import { cookieName } from "../../gateway/server/internal.ts";
import { AuthRequiredError } from "../errors.ts";
import type { ServerContext } from "../server-context.ts";
import { doc } from "./route-helpers.ts";

/**
 * Browser login: POST /api/login with an Authorization header (user/password or token) answers
 * `{user, admin}` and sets the signed session cookie that later calls may send instead.
 */
export function loginRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    "/api/login",
    { schema: doc("server", "Log in: sets a session cookie") },
    async (req, reply) => {
      if (!req.headers.authorization) throw new AuthRequiredError();
      const user = await ctx.auth.authenticate(req.headers, req.ip);
      reply.header("set-cookie", ctx.auth.cookie.issue(user));
      return { user: user.name, admin: user.admin };
    },
  );
  app.post(
    "/api/logout",
    { schema: doc("server", "Log out: clears the session cookie") },
    async (_req, reply) => {
      reply.header("set-cookie", `${cookieName}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`);
      return reply.code(204).send();
    },
  );
}
