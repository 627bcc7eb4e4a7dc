import { test } from "node:test";
import assert from "node:assert/strict";
import { flowgate, logLines, ownClusterProcesses } from "./run-cli.ts";

const failing = new URL("fixtures/failing.ts", import.meta.url).pathname;
const echo = new URL("fixtures/echo.ts", import.meta.url).pathname;

for (const args of [
  ["run", echo, "--gateway", "http://127.0.0.1:1"],
  ["clusters", "list", "--gateway", "http://127.0.0.1:1"],
]) {
  test(`cli errors - ${args[0]}: an unreachable gateway is one line, its stack only at DEBUG`, () => {
    const r = flowgate(args);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /^flowgate: FG_GATEWAY_UNREACHABLE: could not reach the flowgate gateway at http:\/\/127\.0\.0\.1:1: .*; is `flowgate gateway` running there\?\n$/,
    );
    const debug = flowgate([...args, "--log-level", "DEBUG"]);
    assert.equal(debug.code, 1, debug.stderr);
    assert.match(debug.stderr, /^flowgate: FG_GATEWAY_UNREACHABLE: /m);
    assert.match(debug.stderr, /^GatewayUnreachableError: could not reach/m);
    assert.match(debug.stderr, /^\s+at /m);
  });
}

test("cli errors - a failed task names its error class and its frame; DEBUG prints the stack", () => {
  const r = flowgate(["run", failing]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stdout,
    /^ {2}readName\s+Failed: TypeError: Cannot read properties of undefined \(reading 'name'\) \(at .*\/fixtures\/failing\.ts:12:\d+\)$/m,
  );
  assert.doesNotMatch(r.stdout, /^\s+at /m);
  const debug = flowgate(["run", failing, "--log-level", "DEBUG"]);
  assert.match(debug.stdout, /^\s+at firstName \(.*\/fixtures\/failing\.ts:12:\d+\)$/m);
  assert.match(debug.stdout, /^\s+at Object\.readName .*\/fixtures\/failing\.ts:\d+:\d+\)$/m);
});

test("cli errors - retry, skip and trigger warnings of a cluster run are those of a local run", () => {
  const warnings = (args: string[]) => {
    const r = flowgate(["run", failing, "--no-progress", ...args], { FLOWGATE_LOG_LEVEL: "INFO" });
    assert.equal(r.code, 1, r.stderr);
    return logLines(r.stderr)
      .filter((l) => l.includes("flowgate.Task"))
      .sort();
  };
  const local = warnings(["--executor", "local"]);
  const cluster = warnings(["--cluster", "local:1"]);
  assert.deepEqual(cluster, local);
  const retry =
    "WARNING - flowgate.Task: readName | Task run failed, retrying in 10 ms: Cannot read properties of undefined (reading 'name')";
  assert.deepEqual(local, [
    "ERROR - flowgate.Task: greet | Finished task run with final state: 'TriggerFailed': trigger 'allSuccessful' was not met: 0 of 1 upstream states successful, 1 failed",
    "ERROR - flowgate.Task: readName | Finished task run with final state: 'Failed': Cannot read properties of undefined (reading 'name')",
    "INFO - flowgate.Task: nothingToDo | Finished task run with final state: 'Skipped': nothing to do",
    retry,
    retry,
  ]);
  assert.deepEqual(ownClusterProcesses(), [], "the local cluster's processes are gone");
});
