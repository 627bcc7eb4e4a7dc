import { test } from "node:test";
import assert from "node:assert/strict";
import { build, type Metafile } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = new URL("../../", import.meta.url).pathname;
const entries = ["main", "commands/run", "commands/clusters", "commands/worker"];

/**
 * The repository's source files each CLI module loads before its code runs: its static imports,
 * followed through the chunks esbuild splits the CLI into (dynamic imports stay lazy).
 */
async function staticClosures(): Promise<Map<string, Set<string>>> {
  const outdir = mkdtempSync(join(tmpdir(), "flowgate-cli-lazy-"));
  try {
    const { metafile } = await build({
      entryPoints: entries.map((e) => join(root, `src/cli/${e}.ts`)),
      outdir,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      packages: "external",
      metafile: true,
      write: false,
      logLevel: "silent",
    });
    const outputs = (metafile as Metafile).outputs;
    const closures = new Map<string, Set<string>>();
    for (const [out, meta] of Object.entries(outputs)) {
      if (!meta.entryPoint) continue;
      const seen = new Set<string>();
      const sources = new Set<string>();
      const visit = (file: string) => {
        if (seen.has(file)) return;
        seen.add(file);
        for (const input of Object.keys(outputs[file]!.inputs)) sources.add(input);
        for (const i of outputs[file]!.imports)
          if (i.kind === "import-statement" && !i.external) visit(i.path);
      };
      visit(out);
      closures.set(
        relative(root, join(process.cwd(), meta.entryPoint)).replace(/\.ts$/, ""),
        sources,
      );
    }
    return closures;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function rel(files: Set<string>): string[] {
  return [...files].map((f) => relative(root, join(process.cwd(), f))).sort();
}

test("cli lazy - `flowgate --help` loads only the command table and the error printer", async () => {
  const closures = await staticClosures();
  assert.deepEqual(rel(closures.get("src/cli/main")!), [
    "src/cli/errors.ts",
    "src/cli/log-level.ts",
    "src/cli/main.ts",
    "src/cli/package-version.ts",
    "src/cli/report-error.ts",
    "src/graph/errors.ts",
  ]);
});

test("cli lazy - each command loads only its own layers", async () => {
  const closures = await staticClosures();
  const forbidden: Record<string, RegExp> = {
    // run: the flow library once the file is known; clusters, gateways and environments only
    // when a flag asks for one
    "src/cli/commands/run": /^src\/(gateway|cluster|environments|executors)\/|^src\/flow\/flow\.ts/,
    "src/cli/commands/clusters": /^src\/(gateway\/server|cluster|flow|environments|executors)\//,
    "src/cli/commands/worker": /^src\/(gateway|flow|environments|executors)\//,
  };
  for (const [entry, pattern] of Object.entries(forbidden)) {
    const loaded = rel(closures.get(entry)!).filter((f) => pattern.test(f));
    assert.deepEqual(loaded, [], `${entry} loads ${loaded.join(", ")}`);
  }
});
