import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
// Its type declarations add `schema.hide` (kept out of the OpenAPI document).
import type {} from "@fastify/swagger";

interface StaticFile {
  type: string;
  body: Buffer;
  etag: string;
}

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/** The UI's files (static/**: HTML, ES modules, CSS), read once, keyed by their relative path. */
function loadStatic(): Map<string, StaticFile> {
  const root = new URL("./static/", import.meta.url);
  const files = new Map<string, StaticFile>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const type = types[entry.name.slice(entry.name.lastIndexOf("."))];
    if (!type) continue;
    const dir = entry.parentPath.slice(root.pathname.length).replace(/\\/g, "/");
    const rel = dir ? `${dir.replace(/\/$/, "")}/${entry.name}` : entry.name;
    const body = readFileSync(new URL(rel, root));
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
    files.set(rel, { type, body, etag });
  }
  return files;
}

function send(req: FastifyRequest, reply: FastifyReply, f: StaticFile) {
  reply.header("etag", f.etag).header("cache-control", "no-cache");
  if (req.headers["if-none-match"] === f.etag) return reply.code(304).send();
  return reply.type(f.type).send(f.body);
}

/**
 * Serves the web UI: GET / (the page shell) and GET /ui/<file> (its ES modules and style sheet;
 * no build step, the browser loads them as they are). They are the package's public files and
 * hold no data, so they are served without authentication: the pages call the REST API under
 * /api with relative URLs, and when it answers 401 they show their own login form, which logs in
 * through POST /api/login (a signed session cookie).
 */
export function registerUi(app: FastifyInstance): void {
  const files = loadStatic();
  const index = files.get("index.html");
  if (!index) throw new Error("src/server/ui/static/index.html is missing from the package");
  // Pages, not API: kept out of /api/openapi.json.
  const hidden = { schema: { hide: true } };
  app.get("/", hidden, async (req, reply) => send(req, reply, index));
  app.get("/ui/*", hidden, async (req: FastifyRequest<{ Params: { "*": string } }>, reply) => {
    const f = files.get(req.params["*"]);
    if (!f || req.params["*"] === "index.html")
      return reply.code(404).send({ error: `No UI file ${req.url}; the UI starts at /` });
    return send(req, reply, f);
  });
}
