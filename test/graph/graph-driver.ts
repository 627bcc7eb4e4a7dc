/**
 * Builders and a checked driver for GraphState tests: `node()`-style dummies for task specs,
 * outcome shorthands, and a driver that validates invariants after every event.
 */
import assert from "node:assert/strict";
import {
  GraphState,
  isFinished,
  type ArgRef,
  type ArgSpec,
  type EdgeMode,
  type GraphCommand,
  type GraphSpec,
  type Outcome,
  type TaskSpec,
} from "../../src/graph/index.ts";

/** A task spec with every field defaulted, as the flow builder would make it. */
export function node(id: string, o: Partial<TaskSpec> = {}): TaskSpec {
  return {
    id,
    key: id,
    args: [],
    mapped: false,
    upstream: [],
    maxRetries: 0,
    retryDelay: 0,
    timeout: 0,
    trigger: "allSuccessful",
    skipOnUpstreamSkip: true,
    tags: [],
    ...o,
  };
}

export const constant = (id: string, value: unknown): TaskSpec => node(id, { constant: { value } });
export const ref = (n: number, mode: EdgeMode = "whole"): ArgSpec => ({
  kind: "ref",
  node: n,
  mode,
});
export const val = (value: unknown): ArgSpec => ({ kind: "value", value });
export const graph = (...nodes: TaskSpec[]): GraphSpec => ({ nodes });

export const ok = (length?: number, innerLengths?: number[]): Outcome =>
  length === undefined ? { type: "Success" } : { type: "Success", length, innerLengths };
export const failed = (message = "boom"): Outcome => ({
  type: "Failed",
  message,
  stack: `Error: ${message}`,
});
export const timedOut = (): Outcome => ({
  type: "TimedOut",
  message: "task run timed out after 10 ms",
});
export const skipped = (message = "skip me"): Outcome => ({ type: "Skipped", message });

/** Command builders in the shape GraphState emits them (flatten: false left out, see norm). */
export const run = (
  n: number,
  child = -1,
  attempt = 1,
  args: ArgRef[] = [],
  measure = 0,
): GraphCommand => ({
  type: "run",
  node: n,
  child,
  attempt,
  args,
  measure: measure as 0,
});
export const retry = (n: number, child: number, delay: number): GraphCommand => ({
  type: "retry",
  node: n,
  child,
  delay,
});
export const ended = (n: number, child: number, state: string, message: string): GraphCommand =>
  ({ type: "ended", node: n, child, state, message }) as GraphCommand;
export const release = (n: number): GraphCommand => ({ type: "release", node: n });
export const done: GraphCommand = { type: "done" };

export const whole = (n: number): ArgRef => ({ k: "result", node: n, child: -1 });
export const item = (n: number, i: number): ArgRef => ({
  k: "result",
  node: n,
  child: -1,
  path: [i],
});
export const childOf = (n: number, c: number, path?: number[]): ArgRef =>
  path ? { k: "result", node: n, child: c, path } : { k: "result", node: n, child: c };
export const children = (n: number, width: number, flatten = false): ArgRef =>
  flatten ? { k: "children", node: n, width, flatten } : { k: "children", node: n, width };

/**
 * A run command as plain data (the state machine may hand out objects with lazy args), with
 * `flatten: false` and `path: undefined` dropped so that equivalent refs compare equal.
 */
function norm(c: GraphCommand): GraphCommand {
  if (c.type !== "run") return c;
  const args = c.args.map((a) => {
    const o: Record<string, unknown> = { ...a };
    for (const k of Object.keys(o))
      if (o[k] === undefined || (k === "flatten" && o[k] === false)) delete o[k];
    return o as ArgRef;
  });
  return {
    type: "run",
    node: c.node,
    child: c.child,
    attempt: c.attempt,
    args,
    measure: c.measure,
  };
}

const keyOf = (c: GraphCommand) => JSON.stringify(c);

/**
 * Asserts the exact commands, in any order except that `done` comes last: the order of runs
 * that become ready together is an implementation detail.
 */
export function assertCommands(
  actual: readonly GraphCommand[],
  expected: readonly GraphCommand[],
): void {
  const a = actual.map(norm);
  const e = expected.map(norm);
  const doneAt = a.findIndex((c) => c.type === "done");
  if (doneAt >= 0)
    assert.equal(doneAt, a.length - 1, `'done' must be the last command: ${JSON.stringify(a)}`);
  assert.deepEqual(
    [...a].sort((x, y) => keyOf(x).localeCompare(keyOf(y))),
    [...e].sort((x, y) => keyOf(x).localeCompare(keyOf(y))),
  );
}

/** Wraps a GraphState and checks its invariants after every step. */
export class Driver {
  readonly gs: GraphState;
  private sawDone = false;

  constructor(spec: GraphSpec, keep: (n: number) => boolean = () => true) {
    this.gs = new GraphState(spec, keep);
  }

  start(): GraphCommand[] {
    return this.check(this.gs.start());
  }
  finished(n: number, child: number, outcome: Outcome): GraphCommand[] {
    return this.check(this.gs.finished(n, child, outcome));
  }
  retryDue(n: number, child = -1): GraphCommand[] {
    return this.check(this.gs.retryDue(n, child));
  }
  cancel(message: string): GraphCommand[] {
    return this.check(this.gs.cancel(message));
  }
  state(n: number, child = -1): string {
    return this.gs.stateOf(n, child);
  }

  private check(out: GraphCommand[]): GraphCommand[] {
    const dones = out.filter((c) => c.type === "done").length;
    assert.ok(dones <= 1 && !(this.sawDone && dones > 0), "'done' is emitted once");
    if (dones) this.sawDone = true;
    assert.equal(
      this.gs.done,
      this.sawDone,
      "'done' is emitted exactly when every node is complete",
    );
    for (const n of this.gs.nodes) {
      if (n.complete) {
        assert.ok(
          isFinished(n.state),
          `complete node '${n.spec.id}' is in a finished state, not ${n.state}`,
        );
        for (let c = 0; c < Math.max(0, n.width); c++)
          assert.ok(
            isFinished(n.childState(c)),
            `child ${c} of complete '${n.spec.id}' is finished`,
          );
      }
      if (n.state === "Mapped") assert.ok(n.width >= 0, `Mapped '${n.spec.id}' has a width`);
    }
    for (const c of out) {
      if (c.type !== "run") continue;
      assert.equal(
        this.gs.stateOf(c.node, c.child),
        "Running",
        "a run command leaves its task Running",
      );
    }
    return out;
  }
}
