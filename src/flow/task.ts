import { FlowDefinitionError } from "./errors.ts";
import { currentBuilder, type TaskDefinition } from "./flow-builder.ts";
import type { Arg, MapArg, Ref } from "./ref.ts";
import { resolveTaskOptions, type TaskOptions } from "./task-options.ts";

/** Options of one call of a task inside a flow. */
export interface CallOptions {
  /** Tasks this call waits for without taking their values (state-only edges). */
  readonly upstreamTasks?: readonly Ref<unknown>[];
}

/** Calls of a task, typed by its function: `(x: number) => number` takes `Arg<number>`. */
export interface TaskCall<A extends readonly unknown[], R> {
  (...args: { [K in keyof A]: Arg<A[K]> }): Ref<R>;
  /** One child per item of the mapped inputs (zipped, shortest wins). */
  map(...args: { [K in keyof A]: MapArg<A[K]> }): Ref<R[]>;
}

/** A task: call it (or `.map` it) inside a flow's build function. */
export interface Task<A extends readonly unknown[], R> extends TaskCall<A, R> {
  readonly key: string;
  readonly definition: TaskDefinition;
  /** The same task with per-call options, such as state-only upstream tasks. */
  with(options: CallOptions): TaskCall<A, R>;
}

type TaskFn<A extends readonly unknown[], R> = (...args: A) => R;

/**
 * Defines a task. Its stable key is `name` (or the function's name): workers find the function
 * by it, so two different tasks of one flow may not share it.
 */
export function task<A extends readonly unknown[], R>(
  fn: TaskFn<A, R>,
  options?: TaskOptions,
): Task<A, Awaited<R>>;
export function task<A extends readonly unknown[], R>(
  name: string,
  fn: TaskFn<A, R>,
  options?: TaskOptions,
): Task<A, Awaited<R>>;
export function task(
  a: string | TaskFn<unknown[], unknown>,
  b?: TaskFn<unknown[], unknown> | TaskOptions,
  c?: TaskOptions,
): Task<unknown[], unknown> {
  const fn = typeof a === "string" ? b : a;
  const options = (typeof a === "string" ? c : b) ?? {};
  if (typeof fn !== "function")
    throw new FlowDefinitionError(
      `task() needs a function, got ${typeof fn}; write task(fn), task(fn, options) or task(name, fn, options)`,
    );
  const name = typeof a === "string" ? a : ((options as TaskOptions).name ?? fn.name);
  if (!name || !/^[A-Za-z_$][\w$.-]*$/.test(name))
    throw new FlowDefinitionError(
      name
        ? `task name ${JSON.stringify(name)} is not valid; use letters, digits, '_', '-', '.' and start with a letter`
        : "task() got an anonymous function and no name; write task('timesTwo', (x) => …) or pass a named function",
    );
  const definition: TaskDefinition = {
    key: name,
    fn: fn as TaskDefinition["fn"],
    options: resolveTaskOptions(name, options as TaskOptions),
  };
  const call = (callOptions: CallOptions) => {
    const f = (...args: unknown[]) =>
      currentBuilder(`task '${name}'`).addTask(
        definition,
        args,
        false,
        callOptions.upstreamTasks ?? [],
      );
    f.map = (...args: unknown[]) =>
      currentBuilder(`${name}.map()`).addTask(
        definition,
        args,
        true,
        callOptions.upstreamTasks ?? [],
      );
    return f;
  };
  return Object.assign(call({}), {
    key: name,
    definition,
    with: (o: CallOptions) => call(o),
  }) as unknown as Task<unknown[], unknown>;
}

/** Adds state-only edges inside a build function: `downstream` waits for each of `upstream`. */
export function setUpstream(downstream: Ref<unknown>, ...upstream: Ref<unknown>[]): void {
  currentBuilder("setUpstream()").addUpstream(downstream, upstream);
}

/** Sets the reference tasks whose states decide the flow run's state (default: terminal tasks). */
export function setReferenceTasks(...refs: Ref<unknown>[]): void {
  currentBuilder("setReferenceTasks()").referenceTasks = refs;
}
