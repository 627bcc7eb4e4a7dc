import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as f from "./fixtures/cluster-flows.ts";
import { startHarness, type Harness } from "./fixtures/cluster-harness.ts";

describe("LocalCluster(2) at scale", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ workers: 2 });
  });
  after(async () => {
    await h?.close();
  });
  const opts = (o: Record<string, unknown> = {}) => ({
    executor: h.executor,
    printLogs: false as const,
    keepResults: "outputs" as const,
    ...o,
  });

  test("a 200,000-child map and its reduce complete with the right sum", async () => {
    const n = 200_000;
    const t0 = Date.now();
    const r = await f.wideMapFlow.run(
      opts({ parameters: { xs: Array.from({ length: n }, (_, i) => i) } }),
    );
    assert.equal(r.state.type, "Success", JSON.stringify(r.state));
    assert.equal(r.outputs, (n * (n - 1)) / 2);
    assert.ok(Date.now() - t0 < 60_000, `took ${Date.now() - t0} ms`);
  });

  test("work stealing: an idle worker takes part of the other's backlog", async () => {
    // Short tasks first, so that the scheduler sends large batches (each worker gets a backlog).
    await f.wideMapFlow.run(
      opts({ parameters: { xs: Array.from({ length: 2000 }, (_, i) => i) } }),
    );
    // Children alternate between the workers: one gets every slow child, the other only quick ones and then idles.
    const ms = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 150 : 0));
    const t0 = Date.now();
    const r = await f.napFlow.run(opts({ parameters: { ms } }));
    const took = Date.now() - t0;
    assert.equal(r.state.type, "Success");
    const pids = r.outputs as number[];
    const slowOn = new Set(pids.filter((_, i) => i % 2 === 0));
    assert.equal(
      slowOn.size,
      2,
      `the slow children all ran in one process (${[...slowOn].join(", ")}) after ${took} ms`,
    );
    assert.ok(took < 20 * 150, `the backlog was shared: took ${took} ms`);
  });
});
