import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { LocalExecutor, type Executor, type TaskRunUpdate } from "../../src/executors/index.ts";
import gatedFlow from "./fixtures/gated-flow.ts";
import { startHarness, type Harness } from "../cluster/fixtures/cluster-harness.ts";
import { eventually } from "../support/processes.ts";

const N = 50;

/** Runs the gated flow on `executor`, checking the live states while `gated` waits, then opens the gate. */
async function checkLive(executor: Executor, onCluster: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "flowgate-live-"));
  const gate = join(dir, "gate");
  const latest = new Map<string, TaskRunUpdate>();
  const batches: number[] = [];
  let ended = false;
  try {
    const running = gatedFlow.run({
      executor,
      printLogs: false,
      parameters: { gate, n: N },
      onTaskRuns: (updates) => {
        batches.push(updates.length);
        const keys = new Set<string>();
        for (const u of updates) {
          const key = `${u.task}#${u.mapIndex}`;
          assert.ok(!keys.has(key), `${key} appears twice in one batch`);
          keys.add(key);
          latest.set(key, u);
        }
      },
    });
    void running.finally(() => (ended = true));
    const state = (key: string) => latest.get(key)?.state;
    await eventually(
      "gated is Running and the map's children are Success",
      () =>
        state("gated#-1") === "Running" &&
        Array.from({ length: N }, (_, i) => state(`square#${i}`)).every((s) => s === "Success"),
      60_000,
    );
    assert.equal(ended, false, "the run is still going on");
    assert.equal(state("numbers#-1"), "Success");
    assert.equal(state("square#-1"), "Mapped");
    const g = latest.get("gated#-1")!;
    assert.ok(g.startedAt !== undefined && g.endedAt === undefined);
    if (onCluster) {
      assert.match(g.worker ?? "", /./, "a cluster task run names its worker");
      assert.ok(latest.get("square#3")!.worker);
    } else assert.equal(g.worker, undefined);
    const child = latest.get("square#7")!;
    assert.ok(child.startedAt! <= child.endedAt!);

    writeFileSync(gate, "open");
    const result = await running;
    assert.equal(result.state.type, "Success");
    assert.equal(result.outputs, ((N - 1) * N * (2 * N - 1)) / 6);
    // The live states end where the result's exact states do (parameters are no task runs).
    for (const [task, s] of result.taskStates()) {
      if (task === "gate" || task === "n") continue;
      assert.equal(state(`${task}#-1`), s.type, task);
      s.children?.forEach((c, i) => assert.equal(state(`${task}#${i}`), c.type, `${task}[${i}]`));
    }
    assert.ok(batches.length >= 2, "states came in more than one batch");
  } finally {
    writeFileSync(gate, "open");
    rmSync(dir, { recursive: true, force: true });
  }
}

test("live task runs - LocalExecutor reports each task run's state while the run goes on", async () => {
  await checkLive(new LocalExecutor(), false);
});

describe("live task runs on a LocalCluster", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ workers: 2 });
  });
  after(async () => {
    await h?.close();
  });
  test("live task runs - ClusterExecutor reports each task run's state and worker while the run goes on", async () => {
    await checkLive(h.executor, true);
  });
});
