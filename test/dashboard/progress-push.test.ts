import { test } from "node:test";
import assert from "node:assert/strict";
import type { TaskProgress } from "../../src/graph/progress.ts";
import { startHarness } from "../cluster/fixtures/cluster-harness.ts";
import { busyFlow } from "./fixtures/busy-flow.ts";

test("progress push - a cluster run reports progress per task to onProgress, ending at the totals", async () => {
  const h = await startHarness({ workers: 2 });
  try {
    const seen: (readonly TaskProgress[])[] = [];
    const r = await busyFlow.run({
      executor: h.executor,
      parameters: { n: 300, ms: 2 },
      printLogs: false,
      onProgress: (p) => seen.push(p),
    });
    assert.equal(r.state.type, "Success");
    assert.ok(seen.length >= 1);
    const last = new Map(seen.at(-1)!.map((p) => [p.name, p]));
    assert.deepEqual(last.get("nap"), { name: "nap", total: 300, finished: 300, failed: 0 });
    assert.equal(last.get("linger")?.finished, 1);
  } finally {
    await h.close();
  }
});
