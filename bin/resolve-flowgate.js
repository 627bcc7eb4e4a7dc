// Module resolve hook (runs inside tsx's resolver):
// - "flowgate" (and "flowgate/src/…", which flow bundles use for deep imports of flowgate's own
//   files) resolve to this copy of flowgate, wherever the importer is;
// - a TypeScript file is ESM unless its package.json says "type": "commonjs", so that a flow
//   file outside any package (say /tmp/flow.ts) can `import … from "flowgate"`.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = new URL("../", import.meta.url);
const entries = {
  flowgate: new URL("src/index.ts", root).href,
  "flowgate/internal": new URL("src/internal.ts", root).href,
  "flowgate/server": new URL("src/gateway/server/index.ts", root).href,
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
    return { url: new URL(specifier.slice("flowgate/".length), root).href, shortCircuit: true };
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
