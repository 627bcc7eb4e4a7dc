import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { MemoryLimitError, TaskMemoryError } from "../../src/cluster/errors.ts";

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

test("error codes - each code is FG_<LAYER>_<PROBLEM> and belongs to its layer", () => {
  const layerOf: Record<string, string> = {
    GRAPH: "graph",
    FLOW: "flow",
    EXECUTOR: "executors",
    CLUSTER: "cluster",
    GATEWAY: "gateway",
    ENV: "environments",
    CLI: "cli",
    SERVER: "server",
    AGENT: "agent",
    SHIPPING: "shipping",
  };
  for (const [code, files] of definedCodes()) {
    const m =
      /^FG_(GRAPH|FLOW|EXECUTOR|CLUSTER|GATEWAY|ENV|CLI|SERVER|AGENT|SHIPPING)_[A-Z0-9_]+$/.exec(
        code,
      );
    assert.ok(m, `${code} is not FG_<LAYER>_<PROBLEM>`);
    const layer = layerOf[m[1]!]!;
    assert.ok(
      files.some((f) => f.includes(`/src/${layer}/`)),
      `${code} is not defined in src/${layer}: ${files.join(", ")}`,
    );
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

test("error codes - the worker memory-limit errors carry their codes", () => {
  assert.equal(new MemoryLimitError("2XB", "bad unit").code, "FG_CLUSTER_MEMORY_LIMIT");
  assert.equal(new TaskMemoryError("hog", "w1", "too big").code, "FG_CLUSTER_TASK_MEMORY");
});
