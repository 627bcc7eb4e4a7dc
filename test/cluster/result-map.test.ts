import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import * as f from "./fixtures/result-map-flows.ts";
import { startHarness, type Harness } from "./fixtures/cluster-harness.ts";

interface WorkerSummary {
  readonly inputBytes: number;
  readonly heartbeatAt: number;
}

/**
 * A map over an upstream task's result must cost O(1) per child in bytes handed to the task
 * threads: each thread gets the list once and keeps it decoded, rather than each child getting
 * (and decoding) the whole list. Counted from the workers' heartbeats, so no timing is asserted.
 */
describe("maps over a task's result on LocalCluster(2)", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ workers: 2 });
  });
  after(async () => {
    await h?.close();
  });

  /** Total input bytes the workers handed to their threads, once both reported after `since`. */
  async function inputBytes(since: number): Promise<number> {
    const url = `${new URL(h.cluster.dashboardLink).origin}/api/status`;
    for (;;) {
      const st = (await (await fetch(url)).json()) as { workers: WorkerSummary[] };
      if (st.workers.length === 2 && st.workers.every((w) => w.heartbeatAt > since))
        return st.workers.reduce((a, w) => a + w.inputBytes, 0);
      await sleep(200);
    }
  }

  async function measure<T>(run: () => Promise<T>): Promise<{ result: T; bytes: number }> {
    const before = await inputBytes(Date.now());
    const result = await run();
    return { result, bytes: (await inputBytes(Date.now())) - before };
  }

  const opts = (parameters: Record<string, unknown>) => ({
    executor: h.executor,
    printLogs: false as const,
    parameters,
  });
  const sum = (n: number) => (n * (n - 1)) / 2;

  test("a 100,000-child map over a list finishes, handing each child a few bytes", async () => {
    const n = 100_000;
    const { result, bytes } = await measure(() => f.overList.run(opts({ n })));
    assert.equal(result.state.type, "Success");
    assert.equal(result.outputs, sum(n));
    // The list is ~0.5 MB; handed to each child whole it would be ~50 GB in all.
    assert.ok(bytes / n < 64, `${(bytes / n).toFixed(1)} input bytes per child`);
  });

  test("the scheduler's dashboard tells a map child's story", async () => {
    const r = await f.overList.run(opts({ n: 10 }));
    assert.equal(r.state.type, "Success");
    const url = `${new URL(h.cluster.dashboardLink).origin}/api/story/${encodeURIComponent("same[5]")}`;
    const body = (await (await fetch(url)).json()) as {
      story: { task: string; from: string; to: string; stimulusId: string }[];
    };
    // The latest run's entries: placed, maybe reported begun (a slow task), then finished.
    const from = body.story.map((e) => e.from).lastIndexOf("queued");
    const mine = body.story.slice(from);
    assert.ok(mine.every((e) => e.task === "same[5]"));
    assert.deepEqual(mine[0] && [mine[0].from, mine[0].to], ["queued", "processing"]);
    const end = mine[mine.length - 1]!;
    assert.equal(end.to, "finished");
    assert.match(end.stimulusId, /^done-\d+$/);
  });

  const shapes: [string, () => Promise<{ state: { type: string }; outputs: unknown }>, number][] = [
    ["a flattened list of lists", () => f.overNested.run(opts({ n: 20_000 })), 20_000],
    ["a map's children, flattened", () => f.overChildren.run(opts({ tensOf: 2_000 })), 20_000],
  ];
  for (const [what, run, n] of shapes)
    test(`a map over ${what} hands each child a few bytes`, async () => {
      const { result, bytes } = await measure(run);
      assert.equal(result.state.type, "Success");
      assert.equal(result.outputs, sum(n));
      assert.ok(bytes / n < 64, `${(bytes / n).toFixed(1)} input bytes per child`);
    });

  test("a map zipping a task's list with a Parameter hands each child a few bytes", async () => {
    const n = 20_000;
    const ys = Array.from({ length: n }, (_, i) => i);
    const { result, bytes } = await measure(() => f.zipped.run(opts({ n, ys })));
    assert.equal(result.state.type, "Success");
    assert.equal(result.outputs, 2 * sum(n));
    assert.ok(bytes / n < 64, `${(bytes / n).toFixed(1)} input bytes per child`);
  });

  test("an unmapped task result reaches each child without being copied to it", async () => {
    const n = 20_000;
    const { result, bytes } = await measure(() => f.unmappedList.run(opts({ n })));
    assert.equal(result.state.type, "Success");
    assert.equal(result.outputs, sum(n));
    assert.ok(bytes / n < 64, `${(bytes / n).toFixed(1)} input bytes per child`);
  });
});
