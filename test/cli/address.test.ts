import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { flowgateAsync, ownClusterProcesses, startProcess, stopProcess } from "./run-cli.ts";
import { eventually } from "../support/processes.ts";

test("cli address - a worker runs one task per core by default; run --address exits with the result", async () => {
  const scheduler = await startProcess(["scheduler"]);
  let worker: ChildProcess | undefined;
  try {
    const address = scheduler.ready.address!;
    assert.match(address, /^tcp:\/\//);
    worker = (await startProcess(["worker", address])).child;
    let slots: number | undefined;
    await eventually("the worker is registered", async () => {
      const body = (await (await fetch(`${scheduler.ready.dashboard}/api/dashboard`)).json()) as {
        workers: { slots: number }[];
      };
      slots = body.workers[0]?.slots;
      return slots !== undefined;
    });
    assert.equal(slots, availableParallelism(), "--concurrency defaults to the number of cores");

    // flowgateAsync kills a run that does not exit within its timeout: exit code null
    const run = await flowgateAsync([
      "run",
      "examples/times-two.ts",
      "--param",
      "x=[1,2,3]",
      "--address",
      address,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Result: 12$/m);
  } finally {
    if (worker) await stopProcess(worker);
    await stopProcess(scheduler.child);
  }
  await eventually("no scheduler or worker remains", () => ownClusterProcesses().length === 0);
});
