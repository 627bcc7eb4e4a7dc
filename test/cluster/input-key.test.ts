import assert from "node:assert/strict";
import { test } from "node:test";
import { inputKey, inputKeyNode } from "../../src/cluster/worker/input-key.ts";

test("input keys - distinct for distinct inputs, and name their node", () => {
  const seen = new Map<number, string>();
  const nodes = [0, 1, 2, 1021, 1022, 1023, 1024, 5000, 2 ** 21 - 1];
  const children = [-1, 0, 1, 1048572, 1048573, 1048574, 1048575, 2 ** 20, 5_000_000, 2 ** 32 - 2];
  for (const n of nodes)
    for (const c of children) {
      const k = inputKey(n, c);
      assert.ok(!seen.has(k), `(${n}, ${c}) and ${seen.get(k)} share key ${k}`);
      seen.set(k, `(${n}, ${c})`);
      assert.equal(inputKeyNode(k), n, `node of (${n}, ${c})`);
      // the common ones are V8 small integers (31-bit)
      if (n < 1023 && c < 1048574) assert.ok(k >= -(2 ** 30) && k < 0);
    }
});
