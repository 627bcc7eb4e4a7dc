/**
 * Type tests: `npm run typecheck` (tsc --noEmit over test/) proves that types flow from a task's
 * function to its downstream calls, map results, outputs and result accessors. Each
 * `@ts-expect-error` line must fail to compile; the runtime test checks the same values exist.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  Flow,
  LocalExecutor,
  Parameter,
  flatten,
  task,
  unmapped,
  type FlowRunResult,
  type Ref,
  type Task,
  type TaskState,
} from "flowgate";

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

const timesTwo = task("timesTwo", (x: number) => x * 2);
const getSum = task(function getSum(xs: number[]) {
  return xs.reduce((a, b) => a + b, 0);
});
const shout = task(async function shout(s: string): Promise<string> {
  return s.toUpperCase();
});
const add = task(function add(x: number, y: number) {
  return x + y;
});
const chunks = task(function chunks(n: number): number[] {
  return [n, n];
});

expectType<Equal<typeof timesTwo, Task<[x: number], number>>>();
expectType<Equal<typeof shout, Task<[s: string], string>>>(); // a Promise result is awaited

const typedFlow = new Flow("typing-typed", () => {
  const xs = Parameter<number[]>("xs", { default: [1, 2, 3] });
  const words = Parameter("words", { default: ["a", "b"] });
  expectType<Equal<typeof xs, Ref<number[]>>>();
  expectType<Equal<typeof words, Ref<string[]>>>();

  const doubled = timesTwo.map(xs);
  expectType<Equal<typeof doubled, Ref<number[]>>>();
  const total = getSum(doubled);
  expectType<Equal<typeof total, Ref<number>>>();
  const loud = shout.map(words);
  expectType<Equal<typeof loud, Ref<string[]>>>();

  const _plusTen = add.map(xs, unmapped(10));
  expectType<Equal<typeof _plusTen, Ref<number[]>>>();
  add.map(xs, unmapped(total));

  const nested = chunks.map(xs);
  expectType<Equal<typeof nested, Ref<number[][]>>>();
  const _flat = timesTwo.map(flatten(nested));
  expectType<Equal<typeof _flat, Ref<number[]>>>();
  const _flatConstant = timesTwo.map(flatten([[1], [2, 3]]));
  expectType<Equal<typeof _flatConstant, Ref<number[]>>>();
  const _flatWhole = getSum(flatten(nested));
  expectType<Equal<typeof _flatWhole, Ref<number>>>();

  const _after = timesTwo.with({ upstreamTasks: [loud] })(1);
  expectType<Equal<typeof _after, Ref<number>>>();

  return { total, loud, doubled };
});

/** Never built (build runs lazily): each call below must fail to compile. */
export const typeErrors = new Flow("typing-errors", () => {
  const xs = Parameter<number[]>("xs");
  const words = Parameter("words", { default: ["a", "b"] });
  const loud = shout.map(words);
  const total = getSum(xs);
  const nested = chunks.map(xs);
  void nested;
  // @ts-expect-error a list of strings is no list of numbers
  timesTwo.map(words);
  // @ts-expect-error a task result of type string[] is no number
  timesTwo(loud);
  // @ts-expect-error a plain list of strings cannot be mapped by a number task
  timesTwo.map(["a"]);
  // @ts-expect-error a single number is no list to map over
  timesTwo.map(3);
  // @ts-expect-error too few arguments
  add(1);
  // @ts-expect-error getSum takes number[], not number
  getSum(total);
  // @ts-expect-error unmapped value of the wrong type
  add.map(xs, unmapped("ten"));
  // @ts-expect-error flattening lists of strings gives strings, not numbers
  timesTwo.map(flatten([["a"]]));
  // @ts-expect-error flatten needs a list of lists
  timesTwo.map(flatten(xs));
});

const singleOutput = new Flow("typing-single", () => getSum([1, 2]));
const noOutput = new Flow("typing-none", () => {
  getSum([1]);
});

async function typedResults(): Promise<void> {
  const r = await typedFlow.run({ executor: new LocalExecutor(), printLogs: false });
  expectType<Equal<typeof r.outputs, { total: number; loud: string[]; doubled: number[] }>>();
  // @ts-expect-error outputs has no such key
  void r.outputs.missing;

  const _s = await singleOutput.run({ printLogs: false });
  expectType<Equal<typeof _s, FlowRunResult<Ref<number>>>>();
  expectType<Equal<typeof _s.outputs, number>>();
  const _n = await noOutput.run({ printLogs: false });
  expectType<Equal<typeof _n.outputs, undefined>>();

  const xs = {} as Ref<number[]>;
  expectType<Equal<ReturnType<typeof r.get<number[]>>, number[]>>();
  const _v = r.get(xs);
  expectType<Equal<typeof _v, number[]>>();
  const _byName = r.get("timesTwo");
  expectType<Equal<typeof _byName, unknown>>();
  const _state = r.taskState(xs);
  expectType<Equal<typeof _state, TaskState<number[]>>>();
  expectType<Equal<NonNullable<typeof _state.children>, readonly TaskState<number>[]>>();
  expectType<Equal<typeof _state.result, number[] | undefined>>();
}

test("typed flows run and give the values their types promise", async () => {
  void typedResults;
  const r = await typedFlow.run({ executor: new LocalExecutor(), printLogs: false });
  assert.equal(r.state.type, "Success");
  const total: number = r.outputs.total;
  const loud: string[] = r.outputs.loud;
  assert.equal(total, 12);
  assert.deepEqual(loud, ["A", "B"]);
  assert.deepEqual(r.get("add"), [11, 12, 13]);
  assert.deepEqual(r.get("add-2"), [13, 14, 15]);
  assert.deepEqual(r.get("timesTwo-2"), [2, 2, 4, 4, 6, 6]);
  assert.deepEqual(r.get("timesTwo-3"), [2, 4, 6]);
  assert.equal(r.get("getSum-2"), 12);
  const children = r.taskState("timesTwo").children ?? [];
  assert.deepEqual(
    children.map((c) => c.result),
    [2, 4, 6],
  );
});
