import { createHash } from "node:crypto";
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// A flow bundle imports flowgate by name ("flowgate", "flowgate/internal", "flowgate/server",
// "flowgate/src/<path>.ts"); task threads resolve those with a module resolve hook. The worker's
// I/O loop imports a copy of the bundle whose flowgate imports name the modules' files instead:
// with the hook registered in a worker process (Node 20.20), later imports of flowgate's modules
// on its I/O loop did not settle in our tests, and a hook would route every later import of the
// process through the hooks thread anyway. Other bare imports are left as they are: a bundle
// that imports an npm package fails to load here, and its tasks stay on threads.

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
 * of the modules `hooks` resolve them to. esbuild rewrites the imports (the bundle's code is
 * otherwise re-printed as it is), so only real import statements and import() calls change.
 * Rejects when no hook says where flowgate is or the bundle does not build.
 */
export async function inlineBundle(bundlePath: string, hooks: readonly string[]): Promise<string> {
  const code = hooks.map(codeOf).find((c) => c !== undefined);
  if (!code) throw new Error("no module hook says where flowgate's modules are");
  // Named by where flowgate's modules are too: a new build of them (another folder) needs a new copy.
  const where = createHash("sha256").update(code.dir).digest("hex").slice(0, 12);
  const out = bundlePath.replace(/(\.mjs)?$/, `.io-loop-${where}.mjs`);
  if (existsSync(out)) return out;
  const { build } = await import("esbuild");
  const built = await build({
    entryPoints: [bundlePath],
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    // task keys are function names
    keepNames: true,
    logLevel: "silent",
    plugins: [
      {
        name: "flowgate-by-file",
        setup(b) {
          b.onResolve({ filter: /^flowgate(\/.*)?$/ }, (a) => ({
            path: flowgateUrl(a.path, code) ?? a.path,
            external: true,
          }));
        },
      },
    ],
  });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, built.outputFiles[0]!.contents);
  renameSync(tmp, out);
  return out;
}
