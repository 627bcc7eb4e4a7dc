/**
 * The flow semantics every executor must keep (issue 2, Prefect 1.x §1), through the public API
 * only. Run it with an executor factory: LocalExecutor here, a cluster executor elsewhere. The
 * flows live in fixtures/semantic-flows.ts because cluster workers import their source file.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  ParameterError,
  ResultLookupError,
  formatLogRecord,
  type Executor,
  type FlowRunOptions,
  type LogRecord,
} from "flowgate";
import timesTwoExample from "../../examples/times-two.ts";
import incDecAddExample from "../../examples/inc-dec-add.ts";
import * as f from "./fixtures/semantic-flows.ts";

export interface ExecutorHandle {
  readonly executor: Executor;
  close(): Promise<void>;
}

export function semanticSuite(name: string, makeExecutor: () => Promise<ExecutorHandle>): void {
  describe(`semantics on ${name}`, () => {
    let handle: ExecutorHandle;
    before(async () => {
      handle = await makeExecutor();
    });
    after(async () => {
      await handle?.close();
    });
    const opts = (o: Omit<FlowRunOptions, "executor" | "printLogs"> = {}): FlowRunOptions => ({
      ...o,
      executor: handle.executor,
      printLogs: false,
    });
    const taskLogs = (logs: readonly LogRecord[], task: string) =>
      logs.filter((l) => l.task === task);

    describe("retries", () => {
      test("a task that fails twice succeeds on its third attempt, after the retry delays", async () => {
        const t0 = performance.now();
        const r = await f.retryFlow.run(opts());
        assert.equal(r.state.type, "Success");
        assert.equal(r.outputs, 3);
        const s = r.taskState("flaky");
        assert.equal(s.type, "Success");
        assert.equal(s.attempts, 3);
        assert.ok(performance.now() - t0 >= 2 * 50 - 5, "two retry delays of 50 ms passed");
      });

      test("when retries run out the task keeps its last failure", async () => {
        const r = await f.retryExhaustedFlow.run(opts());
        assert.equal(r.state.type, "Failed");
        const s = r.taskState("alwaysFails");
        assert.equal(s.type, "Failed");
        assert.equal(s.attempts, 2);
        assert.equal(s.message, "attempt 2 failed");
      });
    });

    describe("failures", () => {
      test("a failure cascades downstream as TriggerFailed and fails the flow", async () => {
        const r = await f.cascadeFlow.run(opts());
        assert.equal(r.state.type, "Failed");
        assert.equal(r.state.message, "some reference tasks failed");
        assert.deepEqual(
          [...r.taskStates()].map(([n, s]) => [n, s.type]),
          [
            ["explode", "Failed"],
            ["inc", "TriggerFailed"],
            ["inc-2", "TriggerFailed"],
          ],
        );
        assert.match(r.taskState("inc").message ?? "", /trigger 'allSuccessful' was not met/);
        assert.deepEqual(r.outputs, { c: undefined });
      });

      test("a failing task's state carries the error's message and stack; the failure is logged", async () => {
        const r = await f.cascadeFlow.run(opts());
        const s = r.taskState("explode");
        assert.equal(s.message, "boom");
        assert.match(s.stack ?? "", /^Error: boom\n\s+at /);
        assert.equal(s.result, undefined);
        const line = taskLogs(r.logs, "explode").find((l) => l.level === "ERROR");
        assert.ok(line, "an ERROR log line names the failed task");
        assert.match(line.message, /Failed.*boom/);
        assert.throws(() => r.get("explode"), ResultLookupError);
      });

      test("context().fail() fails the task with its message", async () => {
        const r = await f.failSignalFlow.run(opts());
        const s = r.taskState("refuse");
        assert.equal(s.type, "Failed");
        assert.equal(s.message, "refused on purpose");
      });
    });

    describe("triggers", () => {
      test("each trigger decides on a failed and a successful upstream", async () => {
        const r = await f.triggerFlow.run(opts());
        assert.equal(r.taskState("report").type, "TriggerFailed");
        assert.equal(r.taskState("reportAllFinished").type, "Success");
        assert.equal(r.get("reportAllFinished"), "ran with 2 inputs");
        assert.equal(r.taskState("reportAnySuccessful").type, "Success");
        assert.equal(r.taskState("reportAnyFailed").type, "TriggerFailed");
        assert.equal(r.state.type, "Failed");
      });

      test("the flow's state comes from its terminal tasks: a recovered failure is a success", async () => {
        const r = await f.terminalFlow.run(opts());
        assert.equal(r.taskState("explode").type, "Failed");
        assert.equal(r.outputs, "recovered");
        assert.equal(r.state.type, "Success");
      });

      test("reference tasks set in the build decide the flow's state", async () => {
        const r = await f.referenceFlow.run(opts());
        assert.equal(r.taskState("explode").type, "Failed");
        assert.equal(r.state.type, "Success");
        assert.equal(r.state.message, "all reference tasks succeeded");
      });

      test("upstreamTasks adds state-only edges: no value passes, but the order and the trigger hold", async () => {
        const r = await f.upstreamFlow.run(opts());
        const { stamp, after } = r.outputs;
        assert.equal(after.n, 0);
        assert.ok(after.at >= stamp, "the downstream task ran after its state-only upstream");
        assert.equal(r.taskState("argCount-2").type, "TriggerFailed");
      });
    });

    describe("skips", () => {
      test("a skip propagates unless a task opts out, and counts as success", async () => {
        const r = await f.skipFlow.run(opts());
        assert.equal(r.taskState("skipper").type, "Skipped");
        assert.equal(r.taskState("skipper").message, "nothing to do");
        assert.equal(r.taskState("inc").type, "Skipped");
        assert.equal(r.taskState("inc-2").type, "Skipped");
        assert.equal(r.get("describeInput"), "got undefined");
        assert.deepEqual(
          r.taskState("skipOdd").children?.map((c) => [c.type, c.message]),
          [
            ["Success", undefined],
            ["Skipped", "1 is odd"],
            ["Success", undefined],
          ],
        );
        assert.deepEqual(
          r.taskState("inc-3").children?.map((c) => c.type),
          ["Success", "Skipped", "Success"],
        );
        assert.equal(r.state.type, "Success");
        assert.throws(() => r.get("skipper"), ResultLookupError);
      });
    });

    describe("timeouts", () => {
      test("an async task past its timeout is TimedOut, its signal fires and its late result is discarded", async () => {
        const r = await f.timeoutFlow.run(opts());
        const s = r.taskState("slow");
        assert.equal(s.type, "TimedOut");
        assert.equal(s.message, "task run timed out after 50 ms");
        assert.equal(s.result, undefined);
        assert.throws(() => r.get("slow"), ResultLookupError);
        assert.ok(
          taskLogs(r.logs, "slow").some((l) => l.message === "signal aborted: true"),
          "the task's AbortSignal fired",
        );
        // the allFinished downstream waited past the late return and still saw no value
        assert.equal(r.outputs.after, "got undefined");
        assert.equal(r.state.type, "Success");
      });

      test("a synchronous task that overran its timeout is TimedOut", async () => {
        const r = await f.syncTimeoutFlow.run(opts());
        assert.equal(r.taskState("busy").type, "TimedOut");
        assert.equal(r.outputs, undefined);
        assert.equal(r.state.type, "Failed");
      });

      test("a timed-out task is retried like a failed one", async () => {
        const r = await f.timeoutRetryFlow.run(opts());
        assert.equal(r.outputs, "attempt 2");
        assert.equal(r.taskState("slowOnce").attempts, 2);
      });
    });

    describe("mapping", () => {
      test("an empty map is Mapped with no children and its reduce succeeds", async () => {
        const r = await f.emptyMapFlow.run(opts());
        assert.equal(r.state.type, "Success");
        assert.deepEqual(r.outputs, { incs: [], total: 0, constantEmpty: [] });
        const s = r.taskState("inc");
        assert.equal(s.type, "Mapped");
        assert.deepEqual(s.children, []);
      });

      test("a map over a map goes item by item: child i waits only for child i", async () => {
        const r = await f.mapOverMapFlow.run(opts());
        assert.equal(r.state.type, "Success");
        const { s1, s2, xs } = r.outputs;
        assert.deepEqual(xs, [0, 10, 20, 30]);
        for (const i of [1, 2, 3])
          assert.ok(
            s2[i]!.at < s1[0]!.doneAt,
            `stage2[${i}] ran before the slow stage1[0] finished`,
          );
        assert.ok(s2[0]!.at >= s1[0]!.doneAt);
      });

      test("a failed child fails only its own downstream child", async () => {
        const r = await f.mapOverMapFlow.run(opts({ parameters: { failTwo: true } }));
        assert.equal(r.state.type, "Failed");
        assert.deepEqual(
          r.taskState("stage1").children?.map((c) => c.type),
          ["Success", "Success", "Failed", "Success"],
        );
        assert.deepEqual(
          r.taskState("stage2").children?.map((c) => c.type),
          ["Success", "Success", "TriggerFailed", "Success"],
        );
        assert.equal(r.taskState("pickX").type, "TriggerFailed");
        assert.equal(r.outputs.s2[3]?.x, 30);
      });

      test("mapped inputs zip to the shortest; unmapped values go whole to every child", async () => {
        const r = await f.zipFlow.run(opts());
        assert.deepEqual(r.outputs, { pairs: [11, 22], plusTen: [11, 12, 13] });
        const u = await f.unmappedRefFlow.run(opts());
        assert.deepEqual(u.outputs, [7, 8]);
      });

      test("flatten maps over the items of a map's lists, of a constant, and flattens a whole argument", async () => {
        const r = await f.flattenFlow.run(opts());
        assert.deepEqual(r.outputs, {
          ranges: [[0], [0, 1], [0, 1, 2]],
          incs: [1, 1, 2, 1, 2, 3],
          constant: [2, 3, 4],
          whole: 1,
        });
        assert.equal(r.taskState("inc").children?.length, 6);
      });

      test("a result that is no list cannot be mapped over: Failed with a clear message", async () => {
        const r = await f.unmappableFlow.run(opts());
        const s = r.taskState("inc");
        assert.equal(s.type, "Failed");
        assert.equal(s.message, "task 'inc' cannot map over 'notAList': its result is not a list");
        assert.equal(r.state.type, "Failed");
      });

      test("taskState gives a mapped task's children with states, messages and results", async () => {
        const r = await f.childrenFlow.run(opts());
        const s = r.taskState("failOn");
        assert.equal(s.type, "Mapped");
        assert.deepEqual(
          s.children?.map((c) => [c.type, c.message, c.result]),
          [
            ["Success", undefined, 0],
            ["Failed", "item 1 is bad", undefined],
            ["Success", undefined, 200],
          ],
        );
        assert.match(s.children?.[1]?.stack ?? "", /item 1 is bad/);
        assert.equal(s.children?.[1]?.attempts, 1);
        assert.equal(r.state.type, "Failed", "a failed child of a reference task fails the flow");
        assert.deepEqual(
          r.get("failOn"),
          r.outputs,
          "get by name returns the list of child results",
        );
        assert.equal(r.outputs[2], 200);
      });
    });

    describe("parameters", () => {
      test("parameters take given values and defaults", async () => {
        const r = await f.parameterFlow.run(opts({ parameters: { a: 41 } }));
        assert.equal(r.outputs, 42);
        assert.equal(r.get("a"), 41);
        assert.equal(r.get("b"), 1);
      });

      test("an unknown parameter is an error naming the valid ones", async () => {
        await assert.rejects(
          f.parameterFlow.run(opts({ parameters: { a: 1, c: 2 } })),
          (e: unknown) => {
            assert.ok(e instanceof ParameterError);
            assert.equal(e.code, "FG_FLOW_PARAMETER");
            assert.match(e.message, /unknown parameter 'c'.*valid parameters: a, b/);
            return true;
          },
        );
      });

      test("a missing required parameter is an error naming it", async () => {
        await assert.rejects(f.parameterFlow.run(opts()), (e: unknown) => {
          assert.ok(e instanceof ParameterError);
          assert.match(e.message, /missing required parameter 'a'/);
          return true;
        });
      });
    });

    describe("context and logs", () => {
      test("context() gives map index, run ids, parameters and attempt", async () => {
        const r = await f.contextFlow.run(opts({ parameters: { greeting: "hello" } }));
        const { mapped, single } = r.outputs;
        assert.deepEqual(
          mapped.map((m) => [m.label, m.taskName, m.mapIndex, m.attempt, m.signalAborted]),
          [
            ["p", "contextInfo", 0, 1, false],
            ["q", "contextInfo", 1, 1, false],
          ],
        );
        assert.equal(single.mapIndex, null);
        assert.equal(single.taskName, "contextInfo-2");
        for (const m of [...mapped, single]) {
          assert.equal(m.flowRunId, r.flowRunId);
          assert.deepEqual(m.parameters, { greeting: "hello" });
        }
        const ids = [...mapped, single].map((m) => m.taskRunId);
        assert.equal(new Set(ids).size, 3, "every task run has its own id");
        assert.ok(ids.every((id) => typeof id === "string" && id.length > 0));
      });

      test("task logs carry level, flow run id, task name and map index, and format as documented", async () => {
        const r = await f.contextFlow.run(opts());
        const line = r.logs.find((l) => l.message === "hello q");
        assert.ok(line);
        assert.equal(line.level, "INFO");
        assert.equal(line.task, "contextInfo");
        assert.equal(line.mapIndex, 1);
        assert.equal(line.flowRunId, r.flowRunId);
        assert.ok(Math.abs(line.time - Date.now()) < 60_000);
        assert.match(
          formatLogRecord(line),
          /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] INFO - flowgate\.Task: contextInfo\[1\]( \(.+\))? \| hello q$/,
        );
        const single = r.logs.find((l) => l.message === "hello s");
        assert.equal(single?.task, "contextInfo-2");
        assert.equal(single?.mapIndex, undefined);
        assert.ok(r.logs.some((l) => l.level === "DEBUG" && l.message === "debug p"));
        assert.ok(
          r.logs.some((l) => l.name === "flowgate.FlowRunner" && /SUCCESS/.test(l.message)),
        );
      });
    });

    describe("results", () => {
      test("outputs are the build function's refs resolved; get and taskState take refs or names", async () => {
        const r = await f.outputsFlow.run(opts());
        assert.deepEqual(r.outputs, { doubled: [2, 4, 6], total: 12 });
        assert.deepEqual(r.get("timesTwo"), [2, 4, 6]);
        assert.equal(r.get("sum"), 12);
        assert.deepEqual(r.get("x"), [1, 2, 3]);
        assert.equal(r.taskState("sum").result, 12);
        assert.deepEqual(
          r.taskState("timesTwo").children?.map((c) => c.result),
          [2, 4, 6],
        );
        assert.throws(
          () => r.get("nope"),
          (e: unknown) => {
            assert.ok(e instanceof ResultLookupError);
            assert.match(e.message, /no task named 'nope'; its tasks are .*timesTwo.*sum/);
            return true;
          },
        );
      });

      test("keepResults: 'outputs' keeps only what the build returned", async () => {
        const r = await f.mapOverMapFlow.run(opts({ keepResults: "outputs" }));
        assert.deepEqual(r.outputs.xs, [0, 10, 20, 30]);
        assert.equal(r.outputs.s2.length, 4);
        const shaped = await f.cascadeFlow.run(opts({ keepResults: "outputs" }));
        assert.equal(shaped.state.type, "Failed");
      });

      test("a flow without tasks succeeds", async () => {
        const r = await f.noTasksFlow.run(opts());
        assert.equal(r.state.type, "Success");
        assert.equal(r.outputs, undefined);
      });

      test("cancelling a run ends unfinished tasks Cancelled and the flow Cancelled", async () => {
        const ac = new AbortController();
        const t0 = performance.now();
        const running = f.cancelFlow.run(
          opts({ signal: ac.signal, onFirstTaskStarted: () => setTimeout(() => ac.abort(), 50) }),
        );
        const r = await running;
        assert.ok(
          performance.now() - t0 < 4000,
          "the run ended long before the 5 s task would have",
        );
        assert.equal(r.state.type, "Cancelled");
        assert.equal(r.taskState("sleepy").type, "Cancelled");
        assert.equal(r.taskState("inc").type, "Cancelled");
      });
    });

    describe("examples", () => {
      test("times-two sums the doubled parameter: 90 for 0..9", async () => {
        const r = await timesTwoExample.run(
          opts({ parameters: { x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] } }),
        );
        assert.equal(r.state.type, "Success");
        assert.equal(r.outputs, 90);
        const d = await timesTwoExample.run(opts());
        assert.equal(d.outputs, 12);
      });

      test("inc-dec-add sums inc + dec over 0..9: 90", async () => {
        const r = await incDecAddExample.run(opts());
        assert.equal(r.state.type, "Success");
        assert.equal(r.outputs, 90);
        assert.equal(r.taskState("add").children?.length, 10);
      });
    });
  });
}
