import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  Flow,
  FlowDefinitionError,
  NoTaskContextError,
  Parameter,
  context,
  flatten,
  setReferenceTasks,
  setUpstream,
  task,
  unmapped,
  type Ref,
} from "flowgate";

// Flows here are only built (and a few run locally); flows the semantic suite runs live in
// fixtures, because cluster workers import a flow's source file.

const inc = task(function inc(x: number) {
  return x + 1;
});
const add = task(function add(x: number, y: number) {
  return x + y;
});
const total = task(function total(xs: number[]) {
  return xs.reduce((a, b) => a + b, 0);
});

let flowCount = 0;
/** A flow with a name unique in this process. */
function flow<O>(build: () => O): Flow<O> {
  return new Flow(`definition-${++flowCount}`, build);
}

/** Asserts that building throws a FlowDefinitionError whose message matches. */
function rejectsBuild(build: () => unknown, message: RegExp): void {
  const fl = flow(build);
  assert.throws(
    () => fl.graph,
    (e: unknown) => {
      assert.ok(e instanceof FlowDefinitionError, `expected FlowDefinitionError, got ${String(e)}`);
      assert.equal(e.code, "FG_FLOW_DEFINITION");
      assert.match(e.message, message);
      return true;
    },
  );
}

function definitionError(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof FlowDefinitionError, `expected FlowDefinitionError, got ${String(e)}`);
    assert.match(e.message, message);
    return true;
  });
}

describe("task()", () => {
  test("the key is the given name, else the option, else the function's name", () => {
    assert.equal(inc.key, "inc");
    assert.equal(task("double", (x: number) => x * 2).key, "double");
    assert.equal(task((x: number) => x, { name: "ident" }).key, "ident");
    assert.equal(task("outer", function inner() {}, { name: "ignored" }).key, "outer");
  });

  test("options are resolved with defaults", () => {
    const t = task(function t() {}, { maxRetries: 2, retryDelay: 5, tags: ["io"] });
    assert.deepEqual(t.definition.options, {
      name: "t",
      maxRetries: 2,
      retryDelay: 5,
      timeout: 0,
      trigger: "allSuccessful",
      skipOnUpstreamSkip: true,
      tags: ["io"],
    });
  });

  test("an anonymous function without a name is a clear error", () => {
    definitionError(
      () => task((x: number) => x),
      /task\(\) got an anonymous function and no name; write task\('timesTwo'/,
    );
  });

  test("a non-function and a malformed name are errors", () => {
    definitionError(() => task(42 as never), /task\(\) needs a function, got number/);
    definitionError(() => task("has space", () => 1), /task name "has space" is not valid/);
    definitionError(() => task("9lives", () => 1), /task name "9lives" is not valid/);
  });

  test("bad options name the field and the value", () => {
    const f = function f() {};
    definitionError(
      () => task(f, { maxRetries: -1 }),
      /task 'f': maxRetries must be a non-negative integer, got -1/,
    );
    definitionError(
      () => task(f, { maxRetries: 1.5 }),
      /maxRetries must be a non-negative integer, got 1.5/,
    );
    definitionError(
      () => task(f, { retryDelay: Number.NaN }),
      /retryDelay must be a non-negative number, got null/,
    );
    definitionError(
      () => task(f, { timeout: "10" as never }),
      /timeout must be a non-negative number, got "10"/,
    );
    definitionError(
      () => task(f, { trigger: "sometimes" as never }),
      /unknown trigger "sometimes"; use one of allSuccessful, allFinished, anyFailed, anySuccessful/,
    );
    definitionError(
      () => task(f, { maxRetries: 1000 }),
      /maxRetries must be at most 254, got 1000/,
    );
  });

  test("calling a task, a map, a parameter or setUpstream outside a build function is a clear error", () => {
    definitionError(
      () => inc(1),
      /task 'inc' was called outside a flow's build function; call it inside new Flow/,
    );
    definitionError(() => inc.map([1]), /inc\.map\(\) was called outside a flow's build function/);
    definitionError(() => Parameter("x"), /Parameter\('x'\) was called outside/);
    definitionError(
      () => setUpstream({ name: "x" } as Ref<unknown>),
      /setUpstream\(\) was called outside/,
    );
  });

  test("context() outside a running task is a clear error", () => {
    assert.throws(
      () => context(),
      (e: unknown) => {
        assert.ok(e instanceof NoTaskContextError);
        assert.equal(e.code, "FG_FLOW_NO_CONTEXT");
        assert.match(e.message, /context\(\) was called outside a running task/);
        return true;
      },
    );
  });
});

describe("flow building", () => {
  test("the build function runs once, lazily", () => {
    let builds = 0;
    const fl = flow(() => {
      builds++;
      return inc(1);
    });
    assert.equal(builds, 0);
    void fl.graph;
    void fl.graph;
    assert.equal(builds, 1);
  });

  test("one task called three times makes inc, inc-2, inc-3", () => {
    const fl = flow(() => inc(inc(inc(0))));
    assert.deepEqual(
      fl.graph.spec.nodes.map((n) => [n.id, n.key]),
      [
        ["inc", "inc"],
        ["inc-2", "inc"],
        ["inc-3", "inc"],
      ],
    );
  });

  test("two different tasks with one name are an error when the flow is built", () => {
    const other = task("inc", (x: number) => x - 1);
    rejectsBuild(
      () => other(inc(1)),
      /has two different tasks named 'inc'; give one of them another name/,
    );
  });

  test("a task named like another task's numbered run is an error", () => {
    const inc2 = task("inc-2", (x: number) => x);
    rejectsBuild(
      () => inc2(inc(inc(1))),
      /already has a task run named 'inc-2'; give task 'inc-2' another name/,
    );
    rejectsBuild(
      () => inc(inc(inc2(1))),
      /already has a task run named 'inc-2'; give task 'inc' another name/,
    );
  });

  test("a cycle made with setUpstream is rejected with the names of the tasks", () => {
    rejectsBuild(() => {
      const a = inc(1);
      const b = inc(a);
      const c = inc(b);
      setUpstream(a, c);
      return add(c, 1);
    }, /has a cycle among tasks 'inc', 'inc-2', 'inc-3'; remove one of the upstream edges/);
  });

  test("setUpstream and upstreamTasks add state-only edges", () => {
    const fl = flow(() => {
      const a = inc(1);
      const b = inc.with({ upstreamTasks: [a] })(2);
      const c = inc(3);
      setUpstream(c, b);
      return c;
    });
    assert.deepEqual(
      fl.graph.spec.nodes.map((n) => [n.id, n.upstream, n.args]),
      [
        ["inc", [], [{ kind: "value", value: 1 }]],
        ["inc-2", [0], [{ kind: "value", value: 2 }]],
        ["inc-3", [1], [{ kind: "value", value: 3 }]],
      ],
    );
  });

  test("upstreamTasks must be task results of this flow", () => {
    rejectsBuild(
      () => inc.with({ upstreamTasks: [5 as never] })(1),
      /upstreamTasks\[0\] of 'inc' in flow .* is not a task result of this flow/,
    );
    let foreign: Ref<number> | undefined;
    void flow(() => (foreign = inc(1))).graph;
    rejectsBuild(
      () => add(foreign!, 1),
      /argument 0 of 'add' in flow .* is not a task result of this flow/,
    );
  });

  test("non-task arguments become constants; lists mapped over become constant nodes", () => {
    const fl = flow(() => add.map([1, 2], unmapped({ k: 1 } as never)));
    assert.deepEqual(
      fl.graph.spec.nodes.map((n) => [n.id, n.constant, n.args, n.mapped]),
      [
        ["add.arg0", { value: [1, 2] }, [], false],
        [
          "add",
          undefined,
          [
            { kind: "ref", node: 0, mode: "mapped" },
            { kind: "value", value: { k: 1 } },
          ],
          true,
        ],
      ],
    );
  });

  test("lists and objects that hold task results are rejected", () => {
    rejectsBuild(
      () => total([inc(1)] as never),
      /argument 0 of 'total' is a list or object that holds task results/,
    );
    rejectsBuild(
      () => total.map([[1], [inc(1)]] as never),
      /argument 0 of 'total' is a list or object that holds task results/,
    );
    rejectsBuild(
      () => add({ a: inc(1) } as never, 1),
      /argument 0 of 'add' is a list or object that holds task results/,
    );
  });

  test("map needs something to map over", () => {
    rejectsBuild(() => add.map(unmapped(1), unmapped(2)), /add\.map\(\) got nothing to map over/);
    rejectsBuild(
      () => inc.map(3 as never),
      /map\(\) needs a list, a task result or flatten\(\.\.\.\), got number; wrap a value that every child gets in unmapped\(\)/,
    );
    rejectsBuild(() => inc(unmapped(1) as never), /unmapped\(\) is only for map\(\)/);
    rejectsBuild(
      () => inc.map(flatten([1, 2] as never)),
      /flatten\(\) needs a list of lists or a task result, got \[1,2\]/,
    );
  });

  test("parameter names are unique and distinct from task names", () => {
    rejectsBuild(() => {
      Parameter("x");
      return Parameter("x");
    }, /already has a parameter or task named 'x'; parameter names must be unique/);
    rejectsBuild(() => {
      Parameter("inc");
      return inc(1);
    }, /task 'inc' has the name of a parameter; rename one of them/);
    rejectsBuild(() => {
      inc(1);
      return Parameter("inc");
    }, /already has a parameter or task named 'inc'/);
    definitionError(
      () => flow(() => Parameter("no spaces")).graph,
      /parameter name "no spaces" is not valid/,
    );
  });

  test("a build function that returns a Promise is rejected, without an unhandled rejection later", async () => {
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on("unhandledRejection", onRejection);
    try {
      rejectsBuild(async () => {
        await null;
        return inc(1);
      }, /the build function returned a Promise; it must be synchronous/);
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(rejections, []);
    } finally {
      process.off("unhandledRejection", onRejection);
    }
  });

  test("a build function that returns something other than refs is rejected", () => {
    rejectsBuild(
      () => 42,
      /the build function returned number; return a task result, an object of task results, or nothing/,
    );
    rejectsBuild(() => ({ a: inc(1), b: 2 }), /an object whose 'b' is not a task result/);
  });

  test("a flow built inside another flow's build function is rejected", () => {
    const inner = flow(() => inc(1));
    rejectsBuild(() => {
      void inner.graph;
      return inc(2);
    }, /was built inside another flow's build function; define flows at module level/);
  });

  test("reference tasks must be results of this flow", () => {
    rejectsBuild(() => {
      setReferenceTasks(5 as never);
      return inc(1);
    }, /reference task 0 of flow .* is not a task result of this flow/);
  });

  test("a flow needs a name and a build function", () => {
    definitionError(() => new Flow("", () => {}), /a flow needs a non-empty name, got ""/);
    definitionError(
      () => new Flow("no-build", {} as never),
      /flow 'no-build' needs a build function/,
    );
  });

  test("a malformed flow's run rejects with the build error", async () => {
    const fl = flow(() => add(inc(1), [inc(2)] as never));
    await assert.rejects(fl.run({ printLogs: false }), FlowDefinitionError);
  });

  test("the flow remembers the file that defined it", () => {
    assert.equal(flow(() => {}).sourceFile, new URL(import.meta.url).pathname);
  });
});
