import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const root = new URL("../../", import.meta.url).pathname;

/** The names a module exports, as the type checker sees them (values and types). */
function exportedNames(files: string[]): Map<string, string[]> {
  const program = ts.createProgram(
    files.map((f) => join(root, f)),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      allowImportingTsExtensions: true,
      noEmit: true,
      types: ["node"],
      customConditions: ["flowgate-sources"],
    },
  );
  const checker = program.getTypeChecker();
  return new Map(
    files.map((f) => {
      const module = checker.getSymbolAtLocation(program.getSourceFile(join(root, f))!)!;
      return [f, checker.getExportsOfModule(module).map((e) => e.name)];
    }),
  );
}

/** README's list item for one entry: the backticked names after the entry's source file. */
function documentedNames(readme: string, entry: string, file: string): string[] {
  const start = readme.indexOf(`- \`${entry}\` (\`${file}\`)`);
  assert.ok(start >= 0, `README does not document the entry ${entry} (${file})`);
  const end = readme.indexOf("\n- ", start + 1);
  const head = `- \`${entry}\` (\`${file}\`)`;
  const item = readme.slice(start + head.length, end < 0 ? undefined : end).split("\n\n")[0]!;
  return [...item.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)].map((m) => m[1]!);
}

test("package entries - package.json exports exactly the entries README documents", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    exports: Record<string, { "flowgate-sources"?: string } | string>;
  };
  const entries = Object.entries(pkg.exports)
    .filter(([k]) => k !== "./package.json")
    .map(([k, v]) => [k, typeof v === "string" ? v : v["flowgate-sources"]]);
  assert.deepEqual(entries, [
    [".", "./src/index.ts"],
    ["./server", "./src/gateway/server/index.ts"],
    ["./internal", "./src/internal.ts"],
  ]);
});

test("package entries - each entry exports exactly the names README lists for it", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const entries: [string, string][] = [
    ["flowgate", "src/index.ts"],
    ["flowgate/server", "src/gateway/server/index.ts"],
    ["flowgate/internal", "src/internal.ts"],
  ];
  const exported = exportedNames(entries.map(([, f]) => f));
  for (const [entry, file] of entries) {
    const documented = new Set(documentedNames(readme, entry, file));
    const actual = new Set(exported.get(file)!);
    const undocumented = [...actual].filter((n) => !documented.has(n)).sort();
    const missing = [...documented].filter((n) => !actual.has(n)).sort();
    assert.deepEqual(undocumented, [], `${entry} exports names README does not list`);
    assert.deepEqual(missing, [], `README lists names ${entry} does not export`);
  }
});
