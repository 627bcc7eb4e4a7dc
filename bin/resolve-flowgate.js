// Module resolve hook, registered with `?code=<folder>&ext=<.js|.ts>` (built by
// src/shipping/code-location.ts, the one place that knows where flowgate's code is):
// - "flowgate", "flowgate/server", "flowgate/internal" and "flowgate/src/<path>.ts" (the deep
//   imports flow bundles keep for flowgate's own files) resolve to the modules in <folder>,
//   wherever the importer is;
// - a bare import that cannot be resolved from where the importer is (a flow bundle in the
//   cache folder importing an npm package) is resolved from flowgate's folder instead, i.e.
//   from the environment flowgate is installed in;
// - a TypeScript file is ESM unless its package.json says "type": "commonjs", so that a flow
//   file outside any package (say /tmp/flow.ts) can `import … from "flowgate"`.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const params = new URL(import.meta.url).searchParams;
const code = params.get("code");
const ext = params.get("ext") ?? ".js";
if (!code) throw new Error(`${import.meta.url} must be registered with ?code=<folder>`);
/** The URL of flowgate's module `path` (relative to its code folder, with a .ts extension). */
const source = (path) => pathToFileURL(join(code, path.replace(/\.ts$/, ext))).href;
const entries = {
  flowgate: source("index.ts"),
  "flowgate/internal": source("internal.ts"),
  "flowgate/server": source("gateway/server/index.ts"),
};
const fallbackParent = source("index.ts");
const packageTypes = new Map();

function packageType(dir) {
  if (packageTypes.has(dir)) return packageTypes.get(dir);
  let type;
  try {
    type = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).type ?? "commonjs";
  } catch {
    const parent = dirname(dir);
    type = parent === dir ? undefined : packageType(parent);
  }
  packageTypes.set(dir, type);
  return type;
}

const isBare = (s) => !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(s);

export async function resolve(specifier, context, nextResolve) {
  const entry = entries[specifier];
  if (entry) return { url: entry, shortCircuit: true };
  if (specifier.startsWith("flowgate/src/"))
    return { url: source(specifier.slice("flowgate/src/".length)), shortCircuit: true };
  let resolved;
  try {
    resolved = await nextResolve(specifier, context);
  } catch (e) {
    if (e?.code !== "ERR_MODULE_NOT_FOUND" || !isBare(specifier)) throw e;
    return nextResolve(specifier, { ...context, parentURL: fallbackParent });
  }
  if (
    resolved.format === undefined &&
    /\.tsx?$/.test(resolved.url) &&
    resolved.url.startsWith("file:") &&
    !resolved.url.includes("/node_modules/") &&
    packageType(dirname(fileURLToPath(resolved.url))) === undefined
  )
    return { ...resolved, format: "module" };
  return resolved;
}
