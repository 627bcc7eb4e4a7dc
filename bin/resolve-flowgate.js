// Module resolve hook (runs inside tsx's resolver):
// - "flowgate" (and "flowgate/src/…", which flow bundles use for deep imports of flowgate's own
//   files) resolve to this copy of flowgate, wherever the importer is: to its TypeScript sources,
//   or, when this hook is registered with `?runtime=<dir>`, to the precompiled copy in <dir>
//   (task threads: src/cluster/local/thread-runtime.ts);
// - a TypeScript file is ESM unless its package.json says "type": "commonjs", so that a flow
//   file outside any package (say /tmp/flow.ts) can `import … from "flowgate"`.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = new URL("../", import.meta.url);
const runtime = new URL(import.meta.url).searchParams.get("runtime");
/** The URL of flowgate's source file `path` (relative to src/, with its .ts extension). */
const source = runtime
  ? (path) => pathToFileURL(join(runtime, path.replace(/\.ts$/, ".js"))).href
  : (path) => new URL(`src/${path}`, root).href;
const entries = {
  flowgate: source("index.ts"),
  "flowgate/internal": source("internal.ts"),
  "flowgate/server": source("gateway/server/index.ts"),
};
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

export async function resolve(specifier, context, nextResolve) {
  const entry = entries[specifier];
  if (entry) return { url: entry, shortCircuit: true };
  if (specifier.startsWith("flowgate/src/"))
    return { url: source(specifier.slice("flowgate/src/".length)), shortCircuit: true };
  const resolved = await nextResolve(specifier, context);
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
