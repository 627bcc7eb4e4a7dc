import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// A flow bundle imports flowgate by name ("flowgate", "flowgate/internal", "flowgate/server",
// "flowgate/src/<path>.ts"); task threads resolve those with a module resolve hook. The worker's
// I/O loop imports a copy of the bundle whose flowgate imports name the modules' files instead,
// so that no hook is registered in the worker process (which would route every later import of
// the process through the hooks thread).
// KNOWN ISSUE: in a LocalCluster worker process on Node 20, loadTaskHost of such a copy does not
// settle (an import of the copy outside loadTaskHost does); InlineTasks.loadCode gives up after
// LOAD_MS and the flow's tasks stay on threads. Not yet understood.

/** Where the hook URL (`…/resolve-flowgate.js?code=<folder>&ext=<.js|.ts>`) says flowgate's modules are. */
function codeOf(hook: string): { dir: string; ext: string } | undefined {
  const u = new URL(hook);
  const dir = u.searchParams.get("code");
  return dir ? { dir, ext: u.searchParams.get("ext") ?? ".js" } : undefined;
}

/** The file URL a flowgate specifier names, or undefined for any other specifier. */
function flowgateUrl(spec: string, code: { dir: string; ext: string }): string | undefined {
  const file = (path: string) =>
    pathToFileURL(join(code.dir, path.replace(/\.ts$/, code.ext))).href;
  if (spec === "flowgate") return file("index.ts");
  if (spec === "flowgate/internal") return file("internal.ts");
  if (spec === "flowgate/server") return file("gateway/server/index.ts");
  if (spec.startsWith("flowgate/src/")) return file(spec.slice("flowgate/src/".length));
  return undefined;
}

/**
 * The path of a copy of the bundle (next to it, made once) whose flowgate imports are file URLs
 * of the modules `hooks` resolve them to; the bundle's own path when it imports flowgate by no
 * name. Throws when no hook says where flowgate is.
 */
export function inlineBundle(bundlePath: string, hooks: readonly string[]): string {
  const out = bundlePath.replace(/(\.mjs)?$/, ".io-loop.mjs");
  if (existsSync(out)) return out;
  const code = hooks.map(codeOf).find((c) => c !== undefined);
  if (!code) throw new Error("no module hook says where flowgate's modules are");
  const src = readFileSync(bundlePath, "utf8");
  let changed = false;
  const text = src.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(flowgate(?:\/[^"']*)?)\2/g,
    (whole, head: string, quote: string, spec: string) => {
      const url = flowgateUrl(spec, code);
      if (!url) return whole;
      changed = true;
      return `${head}${quote}${url}${quote}`;
    },
  );
  if (!changed) return bundlePath;
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, out);
  return out;
}
