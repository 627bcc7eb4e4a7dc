import { request } from "node:http";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { publicStatus } from "./cluster-record.ts";
import { ClusterNotRunningError, GatewayError } from "./errors.ts";
import type { GatewayContext } from "./gateway-context.ts";
import { authenticateUser, ownedCluster } from "./routes/request-auth.ts";

const hopByHop =
  /^(connection|keep-alive|proxy-.*|te|trailer|transfer-encoding|upgrade|host|authorization|cookie|content-length)$/i;

/**
 * Reverse-proxies /clusters/{name}/* (except the scheduler tunnel) to the cluster's dashboard
 * with the prefix stripped, as Dask Gateway's PATH routes do. The user's credentials are
 * not passed on; the cluster's token is, as the scheduler's dashboard requires it.
 */
export function registerDashboardProxy(app: FastifyInstance, ctx: GatewayContext): void {
  app.all(
    "/clusters/:name/*",
    async (req: FastifyRequest<{ Params: { name: string; "*": string } }>, reply) => {
      const { user, setCookie } = await authenticateUser(ctx, req.headers, req.ip);
      const c = ownedCluster(ctx, user, req.params.name);
      if (publicStatus(c) !== "RUNNING" || !c.dashboardAddress)
        throw new ClusterNotRunningError(c.name, publicStatus(c));
      c.lastActivity = Date.now();
      const target = new URL(c.dashboardAddress);
      const q = req.url.indexOf("?");
      const path = `/${req.params["*"]}${q >= 0 ? req.url.slice(q) : ""}`;
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (v !== undefined && !hopByHop.test(k)) headers[k] = v;
      headers.authorization = `token ${c.token}`; // the scheduler's dashboard wants the cluster's token
      const body = typeof req.body === "string" ? req.body : undefined;
      if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
      const res = await new Promise<import("node:http").IncomingMessage>((resolve, reject) => {
        const r = request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path,
            headers,
            timeout: 30_000,
          },
          resolve,
        );
        r.on("error", reject).on("timeout", () => r.destroy(new Error("timeout")));
        r.end(body);
      }).catch((e) => {
        throw new GatewayError(
          "FG_GATEWAY_DASHBOARD_UNREACHABLE",
          502,
          `Cannot reach the dashboard of cluster ${c.name}: ${(e as Error).message}`,
        );
      });
      reply.code(res.statusCode ?? 502);
      for (const [k, v] of Object.entries(res.headers))
        if (v !== undefined && !/^(connection|keep-alive|transfer-encoding)$/i.test(k))
          reply.header(k, v);
      if (setCookie) reply.header("set-cookie", setCookie);
      return reply.send(res);
    },
  );
}
