import { ExecutorOptionsError } from "../../src/executors/errors.ts";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { LocalExecutor, type ExecutionRequest, type LogRecord } from "flowgate";
import type { GraphSpec, Invocation, InvocationResult, TaskHost } from "../../src/internal.ts";
import { constant, graph, node, ref } from "../graph/graph-driver.ts";

/** A task host that records invocations and answers after `ms`, counting runs in progress. */
class FakeHost implements TaskHost {
  inFlight = 0;
  maxInFlight = 0;
  readonly invoked: string[] = [];
  constructor(
    private readonly ms = 20,
    private readonly answer: (inv: Invocation, args: readonly unknown[]) => InvocationResult = (
      _i,
      args,
    ) => ({
      type: "Success",
      value: args[0] ?? null,
    }),
  ) {}
  async invoke(inv: Invocation, args: readonly unknown[]): Promise<InvocationResult> {
    this.invoked.push(
      `${inv.taskName}${inv.mapIndex === undefined ? "" : `[${inv.mapIndex}]`}#${inv.attempt}`,
    );
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await sleep(this.ms);
    this.inFlight--;
    return this.answer(inv, args);
  }
}

/** A host whose invocations all wait until `count` are in flight at once (or `timeoutMs` pass). */
class BarrierHost extends FakeHost {
  private waiting: (() => void)[] = [];
  constructor(
    private readonly count: number,
    private readonly timeoutMs: number,
  ) {
    super(0);
  }
  override async invoke(inv: Invocation, args: readonly unknown[]): Promise<InvocationResult> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      if (this.inFlight >= this.count) for (const w of this.waiting.splice(0)) w();
      else setTimeout(resolve, this.timeoutMs).unref();
    });
    this.inFlight--;
    return { type: "Success", value: args[0] ?? null };
  }
}

function request(spec: GraphSpec, host: TaskHost, extra: Partial<ExecutionRequest> = {}) {
  const logs: LogRecord[] = [];
  const req: ExecutionRequest = {
    flowRunId: "run-1",
    flowName: "local-executor-test",
    graph: spec,
    parameters: {},
    host,
    sourceFile: undefined,
    keep: new Set(spec.nodes.keys()),
    signal: new AbortController().signal,
    onLog: (r) => logs.push(r),
    ...extra,
  };
  return { req, logs };
}

const items = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("LocalExecutor", () => {
  test("async tasks run concurrently up to the limit", async () => {
    const host = new FakeHost(20);
    const spec = graph(
      constant("xs", items(12)),
      node("m", { args: [ref(0, "mapped")], mapped: true }),
    );
    const t0 = performance.now();
    const { req } = request(spec, host);
    const result = await new LocalExecutor({ concurrency: 3 }).execute(req);
    assert.equal(host.maxInFlight, 3);
    assert.equal(host.invoked.length, 12);
    assert.ok(performance.now() - t0 >= 4 * 20 - 5, "12 runs of 20 ms in 3 slots take 4 rounds");
    assert.deepEqual(result.results.get(1), items(12));
    assert.equal(result.snapshot[1]!.state, "Mapped");
  });

  test("the default limit lets a wide map run at once", async () => {
    // Each child waits until all 100 are in flight (or 10 s pass), so a lower limit shows as a
    // smaller maximum whatever the machine's load.
    const host = new BarrierHost(100, 10_000);
    const spec = graph(
      constant("xs", items(100)),
      node("m", { args: [ref(0, "mapped")], mapped: true }),
    );
    await new LocalExecutor().execute(request(spec, host).req);
    assert.equal(host.maxInFlight, 100);
  });

  test("options are validated", () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN, "4" as unknown as number])
      assert.throws(
        () => new LocalExecutor({ concurrency }),
        (e: unknown) => {
          assert.ok(e instanceof ExecutorOptionsError);
          assert.match(
            e.message,
            /LocalExecutor concurrency must be a positive integer, got .*; pass e\.g\. \{ concurrency: 8 \}/,
          );
          return true;
        },
      );
    assert.equal(new LocalExecutor({ concurrency: 1 }).description, "LocalExecutor");
  });

  test("results that are no longer needed are dropped; kept ones come back", async () => {
    const host = new FakeHost(1);
    const spec = graph(
      constant("x", 5),
      node("a", { args: [ref(0)] }),
      node("b", { args: [ref(1)] }),
    );
    const { req } = request(spec, host, { keep: new Set([2]) });
    const result = await new LocalExecutor().execute(req);
    assert.deepEqual([...result.results], [[2, 5]]);
  });

  test("after a cancel no queued task run starts", async () => {
    const host = new FakeHost(50);
    const spec = graph(node("a"), node("b"), node("c"));
    const ac = new AbortController();
    const { req, logs } = request(spec, host, { signal: ac.signal });
    const running = new LocalExecutor({ concurrency: 1 }).execute(req);
    setTimeout(() => ac.abort(), 10);
    const result = await running;
    await sleep(120);
    assert.equal(host.invoked.length, 1, `only the first task ran: ${host.invoked.join(", ")}`);
    assert.deepEqual(
      result.snapshot.map((s) => s.state),
      ["Cancelled", "Cancelled", "Cancelled"],
    );
    assert.equal(logs.filter((l) => /'Cancelled'/.test(l.message)).length, 3);
  });

  test("a run whose signal is already aborted starts no task", async () => {
    for (const spec of [graph(node("a"), node("b", { args: [ref(0)] })), graph()]) {
      const host = new FakeHost(1);
      const { req } = request(spec, host, { signal: AbortSignal.abort() });
      const result = await new LocalExecutor().execute(req);
      assert.deepEqual(host.invoked, []);
      assert.ok(result.snapshot.every((s) => s.state === "Cancelled"));
    }
  });

  test("a failed attempt that will be retried is logged with its error", async () => {
    const host = new FakeHost(1, (inv) =>
      inv.attempt < 2
        ? { type: "Failed", message: "flaky failure" }
        : { type: "Success", value: inv.attempt },
    );
    const { req, logs } = request(graph(node("a", { maxRetries: 1, retryDelay: 10 })), host);
    const result = await new LocalExecutor().execute(req);
    assert.deepEqual(host.invoked, ["a#1", "a#2"]);
    assert.equal(result.results.get(0), 2);
    const line = logs.find((l) => l.task === "a" && /flaky failure/.test(l.message));
    assert.ok(line, "the failure of attempt 1 is logged");
    assert.equal(line.level, "WARNING");
    assert.match(line.message, /retrying in 10 ms/);
  });

  test("a task that cannot get its arguments fails with the reason", async () => {
    const host = new FakeHost(1);
    const spec = graph(constant("x", 5), node("w", { args: [ref(0, "flatten")] }));
    const result = await new LocalExecutor().execute(request(spec, host).req);
    assert.equal(result.snapshot[1]!.state, "Failed");
    assert.match(result.snapshot[1]!.detail!.message, /could not build arguments/);
  });

  test("logs name the task, its map index and the flow run", async () => {
    const host = new FakeHost(1, (inv) => {
      inv.log("INFO", `child ${inv.mapIndex}`);
      return { type: "Success", value: null };
    });
    const spec = graph(
      constant("xs", [1, 2]),
      node("m", { args: [ref(0, "mapped")], mapped: true }),
    );
    const { req, logs } = request(spec, host);
    await new LocalExecutor().execute(req);
    const line = logs.find((l) => l.message === "child 1");
    assert.deepEqual(
      { ...line, time: 0 },
      {
        time: 0,
        level: "INFO",
        name: "flowgate.Task",
        message: "child 1",
        flowRunId: "run-1",
        task: "m",
        mapIndex: 1,
      },
    );
  });
});
