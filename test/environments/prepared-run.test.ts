import { test } from "node:test";
import assert from "node:assert/strict";
import { Flow, Parameter, task, type LogRecord } from "../../src/index.ts";
import type { FlowEnvironment, PreparedRun } from "../../src/flow/flow-environment.ts";
import type { FlowRunResult, RunPlacement } from "../../src/flow/flow-run-result.ts";
import { LocalEnvironment } from "../../src/environments/index.ts";
import { ParameterError } from "../../src/flow/errors.ts";

const double = task(function preparedDouble(x: number) {
  return x * 2;
});
const flow = new Flow("prepared-run", () => double(Parameter("x", { default: 4 })));

/** Records what flow.run() hands it, then runs the flow in this process. */
class RecordingEnvironment implements FlowEnvironment {
  readonly description = "RecordingEnvironment";
  readonly seen: PreparedRun<unknown>[] = [];
  async execute<O>(run: PreparedRun<O>): Promise<FlowRunResult<O>> {
    this.seen.push(run as PreparedRun<unknown>);
    run.log("INFO", "test.Environment", "before the executor");
    run.place({ executor: "recorded", cluster: { name: "c1", schedulerAddress: "tls://x:1" } });
    return run.execute(undefined);
  }
}

test("environment contract - flow.run prepares once and the environment only executes", async () => {
  const env = new RecordingEnvironment();
  const logs: LogRecord[] = [];
  const placements: RunPlacement[] = [];
  const r = await flow.run({
    environment: env,
    printLogs: false,
    onLog: (l) => logs.push(l),
    onPlacement: (p) => placements.push(p),
  });
  assert.equal(r.outputs, 8);
  assert.equal(env.seen.length, 1);
  assert.deepEqual(
    env.seen[0]!.parameters,
    { x: 4 },
    "defaults are filled in before the environment",
  );
  assert.equal(env.seen[0]!.flowRunId, r.flowRunId);
  assert.deepEqual(
    placements.map((p) => p.cluster?.name),
    ["c1"],
  );
  const mine = r.logs.find((l) => l.message === "before the executor");
  assert.ok(mine, "records the environment logs are part of the result");
  assert.equal(mine.flowRunId, r.flowRunId);
  assert.equal(logs.length, r.logs.length, "onLog saw every record once");
  assert.equal(r.logs.filter((l) => /^Beginning flow run/.test(l.message)).length, 1);
});

test("environment contract - bad parameters reject before the environment is called", async () => {
  const env = new RecordingEnvironment();
  await assert.rejects(flow.run({ environment: env, parameters: { y: 1 } }), ParameterError);
  assert.equal(env.seen.length, 0);
});

test("environment contract - an executor given to flow.run bypasses the environment", async () => {
  const env = new RecordingEnvironment();
  const local = new LocalEnvironment();
  const r = await local.run(flow, { parameters: { x: 5 }, printLogs: false });
  assert.equal(r.outputs, 10);
  const viaFlowEnv = new Flow("prepared-run-2", { environment: env }, () => double(Parameter("x")));
  const { LocalExecutor } = await import("../../src/executors/local-executor.ts");
  const direct = await viaFlowEnv.run({
    executor: new LocalExecutor(),
    parameters: { x: 1 },
    printLogs: false,
  });
  assert.equal(direct.outputs, 2);
  assert.equal(env.seen.length, 0);
});
