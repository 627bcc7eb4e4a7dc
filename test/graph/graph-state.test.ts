import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { GraphState, InvalidGraphError, type TriggerName } from "../../src/graph/index.ts";
import {
  Driver,
  assertCommands,
  childOf,
  children,
  constant,
  done,
  ended,
  failed,
  graph,
  item,
  node,
  ok,
  ref,
  release,
  retry,
  run,
  skipped,
  timedOut,
  val,
  whole,
} from "./graph-driver.ts";

describe("graph state - basics", () => {
  test("a chain runs one task after the other and ends with done", () => {
    const d = new Driver(graph(node("a"), node("b", { args: [ref(0), val(5)] })));
    assertCommands(d.start(), [run(0)]);
    assertCommands(d.finished(0, -1, ok()), [run(1, -1, 1, [whole(0), { k: "value", value: 5 }])]);
    assertCommands(d.finished(1, -1, ok()), [done]);
    assert.equal(d.state(1), "Success");
  });

  test("independent roots start together", () => {
    const d = new Driver(graph(node("a"), node("b"), node("c", { args: [ref(0), ref(1)] })));
    assertCommands(d.start(), [run(0), run(1)]);
    assertCommands(d.finished(1, -1, ok()), []);
    assertCommands(d.finished(0, -1, ok()), [run(2, -1, 1, [whole(0), whole(1)])]);
  });

  test("constants succeed without a run", () => {
    const d = new Driver(graph(constant("x", 3), node("a", { args: [ref(0)] })));
    assertCommands(d.start(), [run(1, -1, 1, [whole(0)])]);
    assert.equal(d.state(0), "Success");
  });

  test("an empty graph is done at once", () => {
    const d = new Driver(graph());
    assertCommands(d.start(), [done]);
  });

  test("an outcome for a task that is not running is ignored", () => {
    const d = new Driver(graph(node("a"), node("b", { args: [ref(0)] })));
    d.start();
    assertCommands(d.finished(1, -1, ok()), []);
    assert.equal(d.state(1), "Pending");
  });

  test("a failure is reported with its message and kept with its stack", () => {
    const d = new Driver(graph(node("a")));
    d.start();
    assertCommands(d.finished(0, -1, failed("boom")), [ended(0, -1, "Failed", "boom"), done]);
    assert.deepEqual(d.gs.detailOf(0), { message: "boom", stack: "Error: boom" });
  });

  test("a ref to a later node is an InvalidGraphError naming the task", () => {
    const bad = graph(node("a", { args: [ref(1)] }), node("b"));
    assert.throws(
      () => new GraphState(bad),
      (e: unknown) => {
        assert.ok(e instanceof InvalidGraphError);
        assert.equal(e.code, "FG_GRAPH_INVALID");
        assert.match(e.message, /task 'a' refers to node 1/);
        return true;
      },
    );
    assert.throws(() => new GraphState(graph(node("a", { upstream: [0] }))), InvalidGraphError);
    assert.throws(() => new GraphState(graph(node("a", { args: [ref(-1)] }))), InvalidGraphError);
  });
});

describe("graph state - triggers", () => {
  /** a fails, b succeeds, c waits for both with the given trigger. */
  function mixed(trigger: TriggerName) {
    const d = new Driver(
      graph(node("a"), node("b"), node("c", { args: [ref(0), ref(1)], trigger })),
    );
    d.start();
    d.finished(0, -1, failed("a broke"));
    return d.finished(1, -1, ok());
  }

  test("allSuccessful (the default) fails on a failed upstream as TriggerFailed", () => {
    assertCommands(mixed("allSuccessful"), [
      ended(
        2,
        -1,
        "TriggerFailed",
        "trigger 'allSuccessful' was not met: 1 of 2 upstream states successful, 1 failed",
      ),
      done,
    ]);
  });

  test("allFinished, anyFailed and anySuccessful run after a failure and a success", () => {
    for (const t of ["allFinished", "anyFailed", "anySuccessful"] as const)
      assertCommands(mixed(t), [run(2, -1, 1, [whole(0), whole(1)])]);
  });

  test("anyFailed without a failure and anySuccessful without a success are TriggerFailed", () => {
    const d = new Driver(graph(node("a"), node("b", { args: [ref(0)], trigger: "anyFailed" })));
    d.start();
    const out = d.finished(0, -1, ok());
    assertCommands(out, [
      ended(
        1,
        -1,
        "TriggerFailed",
        "trigger 'anyFailed' was not met: 1 of 1 upstream states successful, 0 failed",
      ),
      done,
    ]);
    const e = new Driver(graph(node("a"), node("b", { args: [ref(0)], trigger: "anySuccessful" })));
    e.start();
    assert.equal(e.finished(0, -1, failed())[1]!.type, "ended");
    assert.equal(e.state(1), "TriggerFailed");
  });

  test("a task with no upstream runs whatever its trigger", () => {
    for (const t of ["allSuccessful", "allFinished", "anyFailed", "anySuccessful"] as const) {
      const d = new Driver(graph(node("a", { trigger: t })));
      assertCommands(d.start(), [run(0)]);
    }
  });

  test("TriggerFailed cascades down a chain", () => {
    const d = new Driver(
      graph(node("a"), node("b", { args: [ref(0)] }), node("c", { args: [ref(1)] })),
    );
    d.start();
    const out = d.finished(0, -1, failed());
    assert.deepEqual(
      out.map((c) => (c.type === "ended" ? [c.node, c.state] : c.type)),
      [[0, "Failed"], [1, "TriggerFailed"], [2, "TriggerFailed"], "done"],
    );
  });

  test("a state-only upstream counts for the trigger but passes no value", () => {
    const d = new Driver(graph(node("a"), node("b", { upstream: [0] })));
    d.start();
    assertCommands(d.finished(0, -1, ok()), [run(1, -1, 1, [])]);
    const e = new Driver(graph(node("a"), node("b", { upstream: [0] })));
    e.start();
    e.finished(0, -1, failed());
    assert.equal(e.state(1), "TriggerFailed");
  });
});

describe("graph state - skips", () => {
  test("a skip propagates downstream; Skipped counts as successful for triggers", () => {
    const d = new Driver(
      graph(
        node("a"),
        node("b", { args: [ref(0)] }),
        node("c", { args: [ref(1)] }),
        node("d", { args: [ref(1)], skipOnUpstreamSkip: false }),
      ),
    );
    d.start();
    assertCommands(d.finished(0, -1, skipped("nothing to do")), [
      ended(0, -1, "Skipped", "nothing to do"),
      ended(1, -1, "Skipped", "an upstream task was skipped"),
      ended(2, -1, "Skipped", "an upstream task was skipped"),
      run(3, -1, 1, [whole(1)]),
    ]);
  });

  test("skipOnUpstreamSkip: false with allSuccessful runs after a skipped upstream", () => {
    const d = new Driver(
      graph(node("a"), node("b", { args: [ref(0)], skipOnUpstreamSkip: false })),
    );
    d.start();
    assertCommands(d.finished(0, -1, skipped()), [
      ended(0, -1, "Skipped", "skip me"),
      run(1, -1, 1, [whole(0)]),
    ]);
  });
});

describe("graph state - retries", () => {
  test("a failed attempt is Retrying, then runs as attempt 2 and 3", () => {
    const d = new Driver(
      graph(node("a", { maxRetries: 2, retryDelay: 100 }), node("b", { args: [ref(0)] })),
    );
    assertCommands(d.start(), [run(0, -1, 1)]);
    assertCommands(d.finished(0, -1, failed()), [retry(0, -1, 100)]);
    assert.equal(d.state(0), "Retrying");
    assert.equal(d.gs.detailOf(0)?.message, "boom");
    assertCommands(d.retryDue(0), [run(0, -1, 2)]);
    assertCommands(d.finished(0, -1, timedOut()), [retry(0, -1, 100)]);
    assertCommands(d.retryDue(0), [run(0, -1, 3)]);
    assertCommands(d.finished(0, -1, ok()), [run(1, -1, 1, [whole(0)])]);
    assert.equal(d.gs.detailOf(0), undefined, "success clears the failure detail");
    assert.equal(d.gs.nodes[0]!.attempts, 3);
  });

  test("retries run out: the last outcome's state is final", () => {
    const d = new Driver(graph(node("a", { maxRetries: 1 })));
    d.start();
    assertCommands(d.finished(0, -1, timedOut()), [retry(0, -1, 0)]);
    d.retryDue(0);
    assertCommands(d.finished(0, -1, timedOut()), [
      ended(0, -1, "TimedOut", "task run timed out after 10 ms"),
      done,
    ]);
  });

  test("a skip is not retried; a retry that is not due is ignored", () => {
    const d = new Driver(graph(node("a", { maxRetries: 3 })));
    d.start();
    assertCommands(d.retryDue(0), []);
    assertCommands(d.finished(0, -1, skipped()), [ended(0, -1, "Skipped", "skip me"), done]);
  });

  test("mapped children retry one by one", () => {
    const d = new Driver(
      graph(
        constant("xs", [1, 2]),
        node("m", { args: [ref(0, "mapped")], mapped: true, maxRetries: 1, retryDelay: 5 }),
      ),
    );
    assertCommands(d.start(), [run(1, 0, 1, [item(0, 0)]), run(1, 1, 1, [item(0, 1)])]);
    assertCommands(d.finished(1, 1, failed()), [retry(1, 1, 5)]);
    assert.equal(d.state(1, 1), "Retrying");
    assertCommands(d.retryDue(1, 1), [run(1, 1, 2, [item(0, 1)])]);
    assertCommands(d.finished(1, 0, ok()), []);
    assertCommands(d.finished(1, 1, ok()), [done]);
  });
});

describe("graph state - mapping", () => {
  test("width is the shortest mapped input; unmapped values go whole to every child", () => {
    const d = new Driver(
      graph(
        constant("xs", [1, 2, 3]),
        constant("ys", [1, 2]),
        node("m", { args: [ref(0, "mapped"), ref(1, "mapped"), val(10)], mapped: true }),
      ),
    );
    const v = { k: "value", value: 10 } as const;
    assertCommands(d.start(), [
      run(2, 0, 1, [item(0, 0), item(1, 0), v]),
      run(2, 1, 1, [item(0, 1), item(1, 1), v]),
    ]);
    assert.equal(d.state(2), "Mapped");
    assert.equal(d.gs.nodes[2]!.width, 2);
  });

  test("a task's list result is measured and mapped over", () => {
    const d = new Driver(
      graph(
        node("a"),
        node("m", { args: [ref(0, "mapped")], mapped: true }),
        node("s", { args: [ref(1)] }),
      ),
    );
    assertCommands(d.start(), [run(0, -1, 1, [], 1)]);
    assertCommands(d.finished(0, -1, ok(2)), [
      run(1, 0, 1, [item(0, 0)]),
      run(1, 1, 1, [item(0, 1)]),
    ]);
    assertCommands(d.finished(1, 1, ok()), []);
    assertCommands(d.finished(1, 0, ok()), [run(2, -1, 1, [children(1, 2)])]);
  });

  test("an empty map is Mapped with 0 children and its reduce succeeds", () => {
    const d = new Driver(
      graph(
        constant("xs", []),
        node("m", { args: [ref(0, "mapped")], mapped: true }),
        node("s", { args: [ref(1)] }),
      ),
    );
    assertCommands(d.start(), [run(2, -1, 1, [children(1, 0)])]);
    assert.equal(d.state(1), "Mapped");
    assert.equal(d.gs.nodes[1]!.width, 0);
    assertCommands(d.finished(2, -1, ok()), [done]);
  });

  test("map over map: child i waits only for child i", () => {
    const d = new Driver(
      graph(
        constant("xs", [1, 2, 3]),
        node("b", { args: [ref(0, "mapped")], mapped: true }),
        node("c", { args: [ref(1, "mapped")], mapped: true }),
        node("s", { args: [ref(2)] }),
      ),
    );
    assertCommands(d.start(), [
      run(1, 0, 1, [item(0, 0)]),
      run(1, 1, 1, [item(0, 1)]),
      run(1, 2, 1, [item(0, 2)]),
    ]);
    assert.equal(
      d.state(2),
      "Mapped",
      "the second map expands as soon as the first knows its width",
    );
    assertCommands(d.finished(1, 2, ok()), [run(2, 2, 1, [childOf(1, 2)])]);
    assertCommands(d.finished(1, 0, failed("child 0 broke")), [
      ended(1, 0, "Failed", "child 0 broke"),
      ended(
        2,
        0,
        "TriggerFailed",
        "trigger 'allSuccessful' was not met: 0 of 1 upstream states successful, 1 failed",
      ),
    ]);
    assertCommands(d.finished(2, 2, ok()), []);
    assertCommands(d.finished(1, 1, ok()), [run(2, 1, 1, [childOf(1, 1)])]);
    assertCommands(d.finished(2, 1, ok()), [
      ended(
        3,
        -1,
        "TriggerFailed",
        "trigger 'allSuccessful' was not met: 2 of 3 upstream states successful, 1 failed",
      ),
      done,
    ]);
  });

  test("map over map: child i waits for the retries of child i", () => {
    const d = new Driver(
      graph(
        constant("xs", [1, 2]),
        node("b", { args: [ref(0, "mapped")], mapped: true, maxRetries: 1, retryDelay: 7 }),
        node("c", { args: [ref(1, "mapped")], mapped: true }),
      ),
    );
    d.start();
    assertCommands(d.finished(1, 0, failed()), [retry(1, 0, 7)]);
    assertCommands(d.finished(1, 1, ok()), [run(2, 1, 1, [childOf(1, 1)])]);
    assertCommands(d.retryDue(1, 0), [run(1, 0, 2, [item(0, 0)])]);
    assertCommands(d.finished(1, 0, ok()), [run(2, 0, 1, [childOf(1, 0)])]);
  });

  test("map over map: a skipped child skips only its own downstream child", () => {
    const d = new Driver(
      graph(
        constant("xs", [1, 2]),
        node("b", { args: [ref(0, "mapped")], mapped: true }),
        node("c", { args: [ref(1, "mapped")], mapped: true }),
      ),
    );
    d.start();
    assertCommands(d.finished(1, 0, skipped()), [
      ended(1, 0, "Skipped", "skip me"),
      ended(2, 0, "Skipped", "an upstream task was skipped"),
    ]);
    assertCommands(d.finished(1, 1, ok()), [run(2, 1, 1, [childOf(1, 1)])]);
  });

  test("a map over a map that failed before mapping is TriggerFailed", () => {
    const d = new Driver(
      graph(
        node("a"),
        node("b", { args: [ref(0, "mapped")], mapped: true }),
        node("c", { args: [ref(1, "mapped")], mapped: true }),
      ),
    );
    d.start();
    const out = d.finished(0, -1, failed());
    assert.deepEqual(
      out.filter((c) => c.type === "ended").map((c) => c.type === "ended" && [c.node, c.state]),
      [
        [0, "Failed"],
        [1, "TriggerFailed"],
        [2, "TriggerFailed"],
      ],
    );
  });

  test("a map whose list input failed is TriggerFailed even beside a healthy map", () => {
    // c maps over b's children and over a's list; a failed, so c cannot map: a trigger failure.
    const d = new Driver(
      graph(
        constant("xs", [1, 2]),
        node("a"),
        node("b", { args: [ref(0, "mapped")], mapped: true }),
        node("c", { args: [ref(2, "mapped"), ref(1, "mapped")], mapped: true }),
      ),
    );
    d.start();
    d.finished(1, -1, failed());
    assert.equal(d.state(3), "TriggerFailed");
    assert.match(d.gs.detailOf(3)!.message, /trigger 'allSuccessful' was not met/);
  });

  test("an unmappable result fails the map with a clear message", () => {
    const d = new Driver(graph(node("a"), node("m", { args: [ref(0, "mapped")], mapped: true })));
    d.start();
    assertCommands(d.finished(0, -1, ok()), [
      ended(1, -1, "Failed", "task 'm' cannot map over 'a': its result is not a list"),
      done,
    ]);
    const e = new Driver(
      graph(constant("n", 7), node("m", { args: [ref(0, "mapped")], mapped: true })),
    );
    assertCommands(e.start(), [
      ended(1, -1, "Failed", "task 'm' cannot map over 'n': its result is not a list"),
      done,
    ]);
  });

  test("a mapped task with no mapped input fails", () => {
    const d = new Driver(graph(node("m", { args: [val([1])], mapped: true })));
    const out = d.start();
    assert.equal(d.state(0), "Failed");
    assert.match(out[0]!.type === "ended" ? out[0]!.message : "", /no mapped input/);
  });

  test("flatten of a mapped task maps over every item of every child", () => {
    const d = new Driver(
      graph(
        constant("xs", [1, 2]),
        node("b", { args: [ref(0, "mapped")], mapped: true }),
        node("c", { args: [ref(1, "flatten")], mapped: true }),
      ),
    );
    assertCommands(d.start(), [run(1, 0, 1, [item(0, 0)], 1), run(1, 1, 1, [item(0, 1)], 1)]);
    assertCommands(d.finished(1, 0, ok(2)), []);
    assertCommands(d.finished(1, 1, ok(1)), [
      run(2, 0, 1, [childOf(1, 0, [0])]),
      run(2, 1, 1, [childOf(1, 0, [1])]),
      run(2, 2, 1, [childOf(1, 1, [0])]),
    ]);
  });

  test("flatten of a non-mapped list of lists, mapped and whole", () => {
    const d = new Driver(
      graph(
        node("a"),
        node("c", { args: [ref(0, "flatten")], mapped: true }),
        node("w", { args: [ref(0, "flatten")] }),
      ),
    );
    assertCommands(d.start(), [run(0, -1, 1, [], 2)]);
    assertCommands(d.finished(0, -1, ok(3, [2, 0, 1])), [
      run(1, 0, 1, [{ k: "result", node: 0, child: -1, path: [0, 0] }]),
      run(1, 1, 1, [{ k: "result", node: 0, child: -1, path: [0, 1] }]),
      run(1, 2, 1, [{ k: "result", node: 0, child: -1, path: [2, 0] }]),
      run(2, -1, 1, [{ k: "result", node: 0, child: -1, flatten: true }]),
    ]);
  });

  test("flatten of a mapped task as a whole argument gets the children flattened", () => {
    const d = new Driver(
      graph(
        constant("xs", [1]),
        node("b", { args: [ref(0, "mapped")], mapped: true }),
        node("w", { args: [ref(1, "flatten")] }),
      ),
    );
    d.start();
    assertCommands(d.finished(1, 0, ok()), [run(2, -1, 1, [children(1, 1, true)])]);
  });

  test("flatten of a list with an item that is no list fails the map", () => {
    const d = new Driver(graph(node("a"), node("c", { args: [ref(0, "flatten")], mapped: true })));
    d.start();
    d.finished(0, -1, ok(2, [1, -1]));
    assert.equal(d.state(1), "Failed");
    assert.equal(
      d.gs.detailOf(1)!.message,
      "task 'c' cannot map over 'a': item 1 of it is not a list, so it cannot be flattened",
    );
  });
});

describe("graph state - cancel and release", () => {
  test("cancel ends every unfinished task run and later outcomes are ignored", () => {
    const d = new Driver(
      graph(
        constant("xs", [1, 2]),
        node("m", { args: [ref(0, "mapped")], mapped: true }),
        node("s", { args: [ref(1)] }),
      ),
    );
    d.start();
    d.finished(1, 0, ok());
    assertCommands(d.cancel("stop"), [
      ended(1, 1, "Cancelled", "stop"),
      ended(2, -1, "Cancelled", "stop"),
      done,
    ]);
    assertCommands(d.finished(1, 1, ok()), []);
    assert.equal(d.state(1, 0), "Success");
    assert.equal(d.state(1, 1), "Cancelled");
  });

  test("cancel stops pending retries", () => {
    const d = new Driver(graph(node("a", { maxRetries: 2 })));
    d.start();
    d.finished(0, -1, failed());
    assertCommands(d.cancel("stop"), [ended(0, -1, "Cancelled", "stop"), done]);
    assertCommands(d.retryDue(0), []);
  });

  test("a result is released once its last consumer is complete, unless kept", () => {
    const d = new Driver(
      graph(
        node("a"),
        node("b", { args: [ref(0)] }),
        node("c", { args: [ref(0), ref(1)] }),
        node("d", { upstream: [2] }),
      ),
      (n) => n === 2,
    );
    d.start();
    assertCommands(d.finished(0, -1, ok()), [run(1, -1, 1, [whole(0)])]);
    assertCommands(d.finished(1, -1, ok()), [run(2, -1, 1, [whole(0), whole(1)])]);
    assertCommands(d.finished(2, -1, ok()), [release(0), release(1), run(3, -1, 1, [])]);
    assertCommands(d.finished(3, -1, ok()), [release(3), done]);
  });

  test("map over map releases the first map when the second completes", () => {
    const d = new Driver(
      graph(
        constant("xs", [1]),
        node("b", { args: [ref(0, "mapped")], mapped: true }),
        node("c", { args: [ref(1, "mapped")], mapped: true }),
      ),
      () => false,
    );
    d.start();
    assertCommands(d.finished(1, 0, ok()), [release(0), run(2, 0, 1, [childOf(1, 0)])]);
    assertCommands(d.finished(2, 0, ok()), [release(1), release(2), done]);
  });
});
