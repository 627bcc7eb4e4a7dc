// Module resolve hook, registered with `?code=<folder>&ext=<.js|.ts>` (built by
// src/shipping/code-location.ts, the one place that knows where flowgate's code is):
// - "flowgate", "flowgate/server", "flowgate/internal" and "flowgate/src/<path>.ts" (the deep
//   imports flow bundles keep for flowgate's own files) resolve to the modules in <folder>,
//   wherever the importer is;
// - a bare import that cannot be resolved from where the importer is (a flow bundle in the
//   cache folder importing an npm package) is resolved from flowgate's folder instead, i.e.
//   from the environment flowgate is installed in;
// - a TypeScript file is ESM when no package.json gives its type, so that a flow file outside
//   any package (say /tmp/flow.ts) can `import … from "flowgate"`, and also in a "commonjs"
//   package (npm init's default) when it has import/export statements: tsx's ESM hooks would
//   hand it to Node's CommonJS loader untranslated, which fails with ERR_REQUIRE_CYCLE_MODULE.
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

/**
 * Whether a source file has an import or export statement (ESM syntax), not counting
 * TypeScript's CommonJS forms `import x = require(…)` and `export = …`.
 */
const hasModuleSyntax = (path) =>
  /^\s*(import\s*(?![\w$]+\s*=)[\w{*"'$]|export\s+(?!=))/m.test(readFileSync(path, "utf8"));

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
    !resolved.url.includes("/node_modules/")
  ) {
    const path = fileURLToPath(resolved.url);
    const type = packageType(dirname(path));
    if (type === undefined || (type === "commonjs" && hasModuleSyntax(path)))
      return { ...resolved, format: "module" };
  }
  return resolved;
}
