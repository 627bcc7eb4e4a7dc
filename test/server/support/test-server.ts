import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BasicAuth } from "../../../src/gateway/client/auth.ts";
import { FlowgateServer, ServerClient, type ServerOptions } from "../../../src/server/index.ts";
import { freshDatabase } from "./postgres.ts";

export type DbKind = "sqlite" | "postgres";

/** A database for one test: a temp SQLite file or a fresh PostgreSQL database. */
export async function testDatabase(
  kind: DbKind,
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === "postgres") return freshDatabase();
  const dir = mkdtempSync(join(tmpdir(), "fg-server-"));
  return {
    url: `sqlite:${join(dir, "server.db")}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A server on port 0 with quiet logs; `client(user)` talks to it as that user. */
export async function startTestServer(
  dbUrl: string,
  o: ServerOptions = {},
): Promise<{
  server: FlowgateServer;
  client: (user?: string) => ServerClient;
  close: () => Promise<void>;
}> {
  const server = await FlowgateServer.start({
    address: "127.0.0.1:0",
    db: dbUrl,
    log: () => {},
    auth: { type: "simple", admins: ["admin"] },
    ...o,
  });
  return {
    server,
    client: (user = "ada") => new ServerClient({ address: server.url, auth: new BasicAuth(user) }),
    close: () => server.close(),
  };
}

/** Uploads a small unique bundle and registers a flow with it; returns the flow id. */
export async function registerTestFlow(
  c: ServerClient,
  name = `flow-${randomBytes(3).toString("hex")}`,
  extra: {
    labels?: string[];
    parameters?: { name: string; required: boolean; default?: unknown }[];
  } = {},
): Promise<number> {
  const bytes = Buffer.from(
    `export default ${JSON.stringify(name)}; // ${randomBytes(4).toString("hex")}`,
  );
  const hash = createHash("sha256").update(bytes).digest("hex");
  await c.putBundle(hash, bytes);
  const r = await c.registerFlow({
    name,
    labels: extra.labels,
    storage: { type: "bundle", hash, flowName: name },
    graph: {
      tasks: [{ name: "inc", task: "inc", mapped: false, upstream: [] }],
      parameters: extra.parameters ?? [],
    },
  });
  return r.flow.id;
}
