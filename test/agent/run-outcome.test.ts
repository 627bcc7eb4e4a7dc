import { test } from "node:test";
import assert from "node:assert/strict";
import { Flow, Parameter, task } from "../../src/index.ts";
import { ClusterFailedError } from "../../src/environments/errors.ts";
import { SchedulerLostError } from "../../src/cluster/errors.ts";
import { ParameterError } from "../../src/flow/errors.ts";
import { jsonSafe, outcomeOfError, outcomeOfResult } from "../../src/agent/run-outcome.ts";
import { graphOf } from "../../src/agent/register/flow-manifest.ts";

const ok = task(function outcomeOk(x: number) {
  return x + 1;
});
const boom = task(function outcomeBoom(_x: number): number {
  throw new Error("kaput");
});
const good = new Flow("outcome-good", () => ok(Parameter("x", { default: 1 })));
const bad = new Flow("outcome-bad", () => boom(ok.map([1, 2]) as never));

test("run outcome - Success carries the result as JSON; Failed names the failed tasks", async () => {
  const s = outcomeOfResult(await good.run({ printLogs: false }));
  assert.deepEqual(s, { state: "Success", reason: "all reference tasks succeeded", result: 2 });
  const f = outcomeOfResult(await bad.run({ printLogs: false }));
  assert.equal(f.state, "Failed");
  assert.match(f.reason, /outcomeBoom \(kaput\)/);
});

test("run outcome - a stopped run is Cancelled on request, Crashed when the agent shuts down", async () => {
  const r = await bad.run({ printLogs: false });
  assert.equal(outcomeOfResult(r, "cancel").state, "Cancelled");
  assert.equal(outcomeOfResult(r, "shutdown").state, "Crashed");
  const done = await good.run({ printLogs: false });
  assert.equal(
    outcomeOfResult(done, "cancel").state,
    "Success",
    "a run that finished first stays Success",
  );
  assert.equal(outcomeOfError(new Error("x"), "cancel").state, "Cancelled");
});

test("run outcome - infrastructure errors are Crashed (with the cluster's reason), flow errors Failed", () => {
  const failed = outcomeOfError(new ClusterFailedError("c-1", "worker OOM", undefined));
  assert.deepEqual(failed, {
    state: "Crashed",
    reason: "the run's cluster c-1 failed: worker OOM",
  });
  assert.equal(outcomeOfError(new SchedulerLostError("tls://x:1", "gone")).state, "Crashed");
  assert.equal(outcomeOfError(new ParameterError("bad x")).state, "Failed");
  assert.equal(outcomeOfError(new Error("anything")).state, "Failed");
});

test("run outcome - jsonSafe keeps JSON, turns undefined into null and bigints into text", () => {
  assert.deepEqual(jsonSafe({ a: [1, "b"] }), { a: [1, "b"] });
  assert.equal(jsonSafe(undefined), null);
  assert.deepEqual(jsonSafe({ n: 10n }), { n: "10" });
});

test("registration manifest - tasks with upstream names and parameters with defaults", () => {
  const g = graphOf(bad as Flow<unknown>);
  assert.deepEqual(
    g.tasks.map((t) => [t.name, t.mapped, t.upstream]),
    [
      ["outcomeOk", true, []],
      ["outcomeBoom", false, ["outcomeOk"]],
    ],
  );
  assert.deepEqual(graphOf(good as Flow<unknown>).parameters, [
    { name: "x", required: false, default: 1 },
  ]);
});
