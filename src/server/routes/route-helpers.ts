import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import type { ServerContext } from "../server-context.ts";
import type { Viewer } from "../store/rows.ts";

/** Path parameter schemas. */
export const IdParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
});
export const VersionParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  version: Type.Integer({ minimum: 1, maximum: 2147483647 }),
});

/** The authenticated user of a request (401 otherwise). */
export function viewerOf(ctx: ServerContext, req: FastifyRequest): Promise<Viewer> {
  return ctx.auth.authenticate(req.headers, req.ip);
}

/** Common OpenAPI bits: tags and the error answers every route may give. */
const security: { [label: string]: readonly string[] }[] = [{ basic: [] }, { bearer: [] }];
export function doc(tag: string, summary: string) {
  return { tags: [tag], summary, security };
}
