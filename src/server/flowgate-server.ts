import type { FastifyInstance } from "fastify";
import { buildServerApp } from "./server-app.ts";
import { ServerContext } from "./server-context.ts";
import { resolveServerOptions, type ServerOptions } from "./server-options.ts";
import { Store } from "./store/store.ts";

/**
 * A running `flowgate server`: the REST API over its store, plus the loops that expire agents,
 * top up schedules and send webhooks. `close()` stops all of it and closes the database.
 *
 * ```ts
 * const server = await FlowgateServer.start({ address: "127.0.0.1:0", db: "sqlite::memory:" });
 * console.log(server.url); // http://127.0.0.1:PORT
 * await server.close();
 * ```
 */
export class FlowgateServer {
  private constructor(
    readonly url: string,
    readonly app: FastifyInstance,
    readonly context: ServerContext,
  ) {}

  /** Opens (and migrates) the database, starts listening. Throws ServerConfigError for bad options. */
  static async start(options: ServerOptions = {}): Promise<FlowgateServer> {
    const o = resolveServerOptions(options);
    const store = await Store.open(o.db);
    const ctx = new ServerContext(store, o);
    let app: FastifyInstance | undefined;
    try {
      app = await buildServerApp(ctx);
      await app.listen({ host: o.host, port: o.port });
      await ctx.start();
    } catch (e) {
      ctx.stop();
      await app?.close().catch(() => {});
      await store.close().catch(() => {});
      throw e;
    }
    const a = app.server.address();
    const port = typeof a === "object" && a ? a.port : o.port;
    const host = o.host.includes(":") ? `[${o.host}]` : o.host === "0.0.0.0" ? "127.0.0.1" : o.host;
    return new FlowgateServer(`http://${host}:${port}`, app, ctx);
  }

  async close(): Promise<void> {
    this.context.stop();
    // parked claim long polls answer now; none may reach the store once it is closed
    await this.context.claims.close();
    await this.app.close();
    await this.context.store.close();
  }
}
