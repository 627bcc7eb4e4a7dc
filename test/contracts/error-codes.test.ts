import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../../", import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Every error code defined in src: `"FG_<LAYER>_<PROBLEM>"` string literals. */
function definedCodes(): Map<string, string[]> {
  const codes = new Map<string, string[]>();
  for (const file of sources(join(root, "src"))) {
    for (const m of readFileSync(file, "utf8").matchAll(/"(FG_[A-Z0-9_]+)"/g)) {
      const files = codes.get(m[1]!) ?? [];
      if (!files.includes(file)) files.push(file);
      codes.set(m[1]!, files);
    }
  }
  return codes;
}

test("error codes - each code is FG_<LAYER>_<PROBLEM> and defined in one file", () => {
  for (const [code, files] of definedCodes()) {
    assert.match(code, /^FG_(GRAPH|FLOW|EXECUTOR|CLUSTER|GATEWAY|ENV|CLI)_[A-Z0-9_]+$/, code);
    assert.equal(files.length, 1, `${code} is defined in ${files.join(", ")}`);
  }
});

test("error codes - docs/errors.md gives every code a cause and a fix", () => {
  const doc = readFileSync(join(root, "docs/errors.md"), "utf8");
  const documented = new Set([...doc.matchAll(/^### (FG_[A-Z0-9_]+)$/gm)].map((m) => m[1]!));
  const missing = [...definedCodes().keys()].filter((c) => !documented.has(c));
  assert.deepEqual(missing, [], `undocumented codes: ${missing.join(", ")}`);
  for (const section of doc.split(/^### /m).slice(1)) {
    const code = section.split("\n")[0]!;
    assert.match(section, /Cause:/, `${code} has no cause`);
    assert.match(section, /Fix:/, `${code} has no fix`);
  }
});
