import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { LogRecord } from "../../src/index.ts";
import { alive, startHarness, type Harness } from "./fixtures/cluster-harness.ts";
import { GATED_LINKS, gatedChainFlow } from "./fixtures/gated-chain-flows.ts";
import { runsIn } from "./fixtures/run-records.ts";

/** Polls `ok` (a file or the scheduler's status, never a fixed delay) until it holds, for at most a minute. */
async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + 60_000;
  while (!(await ok())) {
    assert.ok(Date.now() < end, `timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function someWorkerClosing(h: Harness): Promise<boolean> {
  const url = h.cluster.dashboardLink.replace(/\/status$/, "/api/status");
  const status = (await (await fetch(url)).json()) as { workers: { closing: boolean }[] };
  return status.workers.some((w) => w.closing);
}

describe("speculative chain links on a LocalCluster: a link whose outcome a worker drops", () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "flowgate-speculation-drop-"));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  // A worker retiring while its thread runs a chain: the thread runs links 6.. right after link
  // 5, so the worker claims them though it is stopping (worker-outcomes.ts: a link already in its
  // thread is claimed whenever the run goes on). Before, it dropped their outcomes and the
  // scheduler ran them again on the other worker: their side effects and lines twice.
  test("the worker running an in-thread chain retires while a link waits: each link runs once and logs once", async () => {
    const h = await startHarness({ workers: 2, restartWorkers: false });
    try {
      // A first run so that the links are known to be short (the worker then runs them in the thread).
      const warm = mkdtempSync(join(root, "warm-"));
      const w = await gatedChainFlow.run({
        executor: h.executor,
        printLogs: false,
        parameters: { dir: warm },
        keepResults: "outputs",
      });
      assert.equal(w.outputs, GATED_LINKS);

      const dir = mkdtempSync(join(root, "gated-"));
      const hold = 5;
      const logs: LogRecord[] = [];
      const run = gatedChainFlow.run({
        executor: h.executor,
        printLogs: false,
        parameters: { dir, hold },
        keepResults: "outputs",
        onLog: (l: LogRecord) => logs.push(l),
      });
      await until("link 5 to start", () => existsSync(join(dir, "holding")));
      const leaving = Number(readFileSync(join(dir, "holding"), "utf8"));
      process.kill(leaving, "SIGTERM");
      // Link 5 ends only once the scheduler knows its worker is leaving.
      await until("the worker to say goodbye", () => someWorkerClosing(h));
      writeFileSync(join(dir, "gate"), "");
      const r = await run;
      assert.equal(r.state.type, "Success", JSON.stringify(r.state));
      assert.equal(r.outputs, GATED_LINKS);

      const runs = runsIn(dir);
      const twice = [...runs].filter(([, pids]) => pids.length !== 1).map(([x]) => x);
      const lines = logs.filter((l) => /^link \d+ ran$/.test(l.message)).map((l) => l.message);
      const repeated = lines.filter((m, i) => lines.indexOf(m) !== i);
      assert.deepEqual({ twice, repeated }, { twice: [], repeated: [] });
      for (let x = 1; x <= GATED_LINKS; x++) assert.equal(runs.get(x)?.length, 1, `link ${x}`);
      assert.equal(lines.length, GATED_LINKS);
      await until("the retired worker to exit", () => !alive(leaving));
    } finally {
      await h.close();
    }
  });
});
