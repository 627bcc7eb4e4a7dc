// `flowgate scheduler --socket` and `flowgate worker unix://… --socket` as a user runs them, and
// `flowgate run --address unix://…` from another process.
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  flowgate,
  flowgateAsync,
  ownClusterProcesses,
  startProcess,
  stopProcess,
} from "../cli/run-cli.ts";
import { eventually } from "../support/processes.ts";

test("socket processes - scheduler and worker on Unix sockets; run --address unix:// gives the result", async () => {
  const dir = mkdtempSync(join(tmpdir(), "flowgate-sock-"));
  const schedulerSock = join(dir, "scheduler.sock");
  const workerSock = join(dir, "worker.sock");
  const scheduler = await startProcess(["scheduler", "--socket", schedulerSock]);
  let worker: ChildProcess | undefined;
  try {
    assert.equal(scheduler.ready.address, `unix://${schedulerSock}`);
    assert.match(scheduler.ready.dashboard!, /^http:\/\/127\.0\.0\.1:\d+$/);
    worker = (
      await startProcess([
        "worker",
        scheduler.ready.address!,
        "--socket",
        workerSock,
        "--concurrency",
        "1",
      ])
    ).child;
    let addresses: string[] = [];
    await eventually("the worker is registered", async () => {
      const body = (await (await fetch(`${scheduler.ready.dashboard}/api/dashboard`)).json()) as {
        workers: { address: string }[];
      };
      addresses = body.workers.map((w) => w.address);
      return addresses.length === 1;
    });
    assert.deepEqual(
      addresses,
      [`unix://${workerSock}`],
      "the worker serves its peers on its socket",
    );
    const run = await flowgateAsync([
      "run",
      "examples/times-two.ts",
      "--param",
      "x=[1,2,3]",
      "--address",
      scheduler.ready.address!,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Result: 12$/m);
  } finally {
    if (worker) await stopProcess(worker);
    await stopProcess(scheduler.child);
  }
  await eventually("no scheduler or worker remains", () => ownClusterProcesses().length === 0);
  assert.equal(existsSync(schedulerSock), false, "the scheduler removed its socket file");
  assert.equal(existsSync(workerSock), false, "the worker removed its socket file");
  rmSync(dir, { recursive: true, force: true });
});

for (const [what, args, code, expected] of [
  [
    "a relative --socket path",
    ["scheduler", "--socket", "s.sock"],
    2,
    /^flowgate scheduler: --socket: 's\.sock' is not an absolute path to a socket file, e\.g\. /m,
  ],
  [
    "--socket with --port",
    ["scheduler", "--socket", "/tmp/s.sock", "--port", "8786"],
    2,
    /give --socket or --port, not both/,
  ],
  [
    "a worker's --socket path too long for sun_path",
    ["worker", "tcp://127.0.0.1:9", "--socket", `/tmp/${"x".repeat(120)}.sock`],
    2,
    /--socket: .*is 130 bytes long, more than the 107/,
  ],
  [
    "a relative unix:// scheduler address",
    ["worker", "unix://tmp/s.sock"],
    1,
    /must be absolute, written with three slashes: unix:\/\/\/tmp\/s\.sock/,
  ],
] as const) {
  test(`socket processes - ${what} is one clear line`, () => {
    const r = flowgate(args, { FLOWGATE_CONNECT_TIMEOUT_MS: "2000" });
    assert.equal(r.code, code, r.stderr);
    assert.match(r.stderr, expected);
  });
}

test("socket processes - a worker whose scheduler socket is missing says so and exits 1", () => {
  const r = flowgate(["worker", "unix:///tmp/flowgate-no-such-scheduler.sock"], {
    FLOWGATE_CONNECT_TIMEOUT_MS: "1000",
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /there is no socket file \/tmp\/flowgate-no-such-scheduler\.sock \(ENOENT\)/,
  );
});
