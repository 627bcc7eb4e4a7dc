import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import * as f from "./fixtures/cluster-flows.ts";
import { alive, startHarness } from "./fixtures/cluster-harness.ts";

describe("worker failures", () => {
  test("SIGKILL of a worker in the middle of a 2,000-task map still gives the full result", async () => {
    const h = await startHarness({ workers: 2, restartWorkers: false });
    try {
      const xs = Array.from({ length: 2000 }, (_, i) => i);
      let done = 0;
      const run = f.bigMapFlow.run({
        executor: h.executor,
        printLogs: false,
        parameters: { xs },
        keepResults: "outputs",
        onFirstTaskStarted: () => void (done = 1),
      });
      while (done === 0) await sleep(10);
      await sleep(400);
      const victim = h.cluster.pids[1]!;
      process.kill(victim, "SIGKILL");
      const r = await run;
      assert.equal(alive(victim), false);
      assert.equal(r.state.type, "Success");
      assert.equal(r.outputs, (2000 * 2001) / 2);
    } finally {
      await h.close();
    }
  });

  test("a task that kills its worker 3 times fails with WorkerLostError while independent branches finish", async () => {
    const h = await startHarness({ workers: 2 });
    try {
      const r = await f.killerFlow.run({ executor: h.executor, printLogs: false });
      const s = r.taskState("killer");
      assert.equal(s.type, "Failed");
      assert.match(
        s.message ?? "",
        /WorkerLostError: task 'killer' was running on 3 workers that died/,
      );
      assert.equal(r.taskState("step-3").type, "Success");
      assert.equal((r.outputs as { chain: number }).chain, 4);
    } finally {
      await h.close();
    }
  });
});
