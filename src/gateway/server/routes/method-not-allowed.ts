import type { FastifyInstance } from "fastify";

/**
 * Remembers the API routes as they are registered, so that a request whose path exists under
 * another method (PUT or PATCH on /api/v1/clusters/…) is answered 405 with `Allow`, not 404.
 * Call before registering routes; `allowedMethods(path)` is empty for an unknown path.
 */
export function trackApiRoutes(app: FastifyInstance): (path: string) => string[] {
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  app.addHook("onRoute", (r) => {
    if (!r.url.startsWith("/api/")) return;
    const source = r.url
      .split("/")
      .map((part) =>
        part.startsWith(":")
          ? "[^/]+"
          : part === "*"
            ? ".*"
            : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
      )
      .join("/");
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    routes.push({ pattern: new RegExp(`^${source}$`), methods: methods.map(String) });
  });
  return (path) => {
    const allowed = new Set<string>();
    for (const r of routes) if (r.pattern.test(path)) for (const m of r.methods) allowed.add(m);
    return [...allowed].sort();
  };
}
