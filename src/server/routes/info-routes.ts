import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { Health, Me, Version } from "../api/index.ts";
import type { ServerContext } from "../server-context.ts";
import { doc, viewerOf } from "./route-helpers.ts";

const version = (
  JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

/** Health, version, the caller, and the OpenAPI document. */
export function infoRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    "/api/health",
    { schema: { tags: ["server"], summary: "Health", response: { 200: Health } } },
    async () => ({ status: "pass" as const }),
  );
  app.get(
    "/api/version",
    { schema: { tags: ["server"], summary: "Version", response: { 200: Version } } },
    async () => ({ version, api: 1 as const }),
  );
  app.get(
    "/api/me",
    { schema: { ...doc("server", "Who you are"), response: { 200: Me } } },
    async (req) => viewerOf(ctx, req),
  );
  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
