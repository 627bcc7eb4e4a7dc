import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { alive, startHarness } from "./fixtures/cluster-harness.ts";
import { CHAIN_LINKS, chainFlow } from "./fixtures/chain-flows.ts";
import { runsIn } from "./fixtures/run-records.ts";

function assertEachRanOnce(dir: string): Map<number, number[]> {
  const runs = runsIn(dir);
  for (let x = 1; x <= CHAIN_LINKS; x++)
    assert.deepEqual(runs.get(x)?.length, 1, `link ${x} ran ${runs.get(x)?.length ?? 0} times`);
  return runs;
}

describe("speculative assignment on a LocalCluster", () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "flowgate-speculation-"));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const speculation of ["on", "off"])
    test(`a ${CHAIN_LINKS}-link chain gives the right result, each link run once (speculation ${speculation})`, async () => {
      const before = process.env.FLOWGATE_SPECULATION;
      process.env.FLOWGATE_SPECULATION = speculation;
      const h = await startHarness({ workers: 2 });
      if (before === undefined) delete process.env.FLOWGATE_SPECULATION;
      else process.env.FLOWGATE_SPECULATION = before;
      try {
        for (let i = 0; i < 2; i++) {
          const dir = mkdtempSync(join(root, `chain-${speculation}-`));
          const r = await chainFlow.run({
            executor: h.executor,
            printLogs: false,
            parameters: { dir },
            keepResults: "outputs",
          });
          assert.equal(r.state.type, "Success", JSON.stringify(r.state));
          assert.equal(r.outputs, CHAIN_LINKS);
          assertEachRanOnce(dir);
        }
      } finally {
        await h.close();
      }
    });

  test("the worker running the chain retires mid-chain: the chain goes on elsewhere, each link run once", async () => {
    const h = await startHarness({ workers: 2, restartWorkers: false });
    try {
      const dir = mkdtempSync(join(root, "retire-"));
      const run = chainFlow.run({
        executor: h.executor,
        printLogs: false,
        parameters: { dir, ms: 40 },
        keepResults: "outputs",
      });
      const until = Date.now() + 60_000;
      while (runsIn(dir).size < 5) {
        assert.ok(Date.now() < until, "the chain did not reach link 5");
        await sleep(10);
      }
      const leaving = runsIn(dir).get(5)![0]!;
      process.kill(leaving, "SIGTERM");
      const r = await run;
      assert.equal(r.state.type, "Success", JSON.stringify(r.state));
      assert.equal(r.outputs, CHAIN_LINKS);
      const runs = assertEachRanOnce(dir);
      for (let i = 0; i < 500 && alive(leaving); i++) await sleep(20);
      assert.ok(!alive(leaving), "the retired worker is gone");
      const last = runs.get(CHAIN_LINKS)![0]!;
      assert.notEqual(last, leaving, "the chain ended on the other worker");
    } finally {
      await h.close();
    }
  });
});
