// `npm run build`: compiles src/ into dist/ (ESM JavaScript + declarations, with tsc), copies
// the non-TypeScript files the code reads at run time (dashboards' static files, the warm
// launcher), and stamps dist/ with the fingerprint of the sources it was built from.
import { spawnSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { BUILD_STAMP, sourceFingerprint } from "../bin/code-freshness.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const src = join(root, "src");
const dist = join(root, "dist");
// Taken before compiling: a source edited meanwhile makes the build stale, not silently current.
const fingerprint = sourceFingerprint(root);

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const r = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], {
  stdio: "inherit",
});
if (r.status !== 0) process.exit(r.status ?? 1);

const files = readdirSync(dist, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
// tsc keeps the sources' "./x.ts" specifiers in declarations; consumers resolve "./x.js".
for (const e of files.filter((f) => f.name.endsWith(".d.ts"))) {
  const path = join(e.parentPath, e.name);
  const text = readFileSync(path, "utf8");
  const fixed = text.replace(/(from\s+|import\()(["'])(\.{1,2}\/[^"']+)\.ts\2/g, "$1$2$3.js$2");
  if (fixed !== text) writeFileSync(path, fixed);
}
for (const e of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!e.isFile() || e.name.endsWith(".ts")) continue;
  const from = join(e.parentPath, e.name);
  cpSync(from, join(dist, relative(src, from)));
}
writeFileSync(join(root, BUILD_STAMP), `${fingerprint}\n`);
process.stdout.write(
  `built ${relative(root, dist)}/ from ${relative(root, src)}/ (${fingerprint})\n`,
);
