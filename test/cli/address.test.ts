import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { availableParallelism } from "node:os";
import { createInterface } from "node:readline";
import { bin, flowgateAsync, ownClusterProcesses } from "./run-cli.ts";
import { eventually } from "../support/processes.ts";

/** Starts `flowgate <args>` and resolves with the JSON of its `flowgate <role> ready {…}` line. */
async function startProcess(
  args: string[],
): Promise<{ child: ChildProcess; ready: Record<string, string> }> {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, FLOWGATE_LOG_LEVEL: "OFF" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<Record<string, string>>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`flowgate ${args[0]} exited ${code}`)));
    lines.on("line", (line) => {
      const m = /^flowgate \w+ ready (\{.*\})$/.exec(line);
      if (m) resolve(JSON.parse(m[1]!) as Record<string, string>);
    });
  });
  return { child, ready };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  await once(child, "exit");
}

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
    if (worker) await stop(worker);
    await stop(scheduler.child);
  }
  await eventually("no scheduler or worker remains", () => ownClusterProcesses().length === 0);
});
