declare const valueType: unique symbol;

/**
 * A task run's future value inside a flow's build function. `T` is what downstream tasks
 * receive; a mapped task's ref carries the list of its children's values.
 */
export interface Ref<T> {
  readonly [valueType]?: T;
  /** The task run's name in its flow: `inc`, `inc-2`, `x`. */
  readonly name: string;
}

/** Passes a value whole to every child of a map: `add.map(xs, unmapped(10))`. */
export interface Unmapped<T> {
  readonly kind: "unmapped";
  readonly value: T | Ref<T>;
}

/** Flattens a list of lists one level before mapping over it: `inc.map(flatten(nested))`. */
export interface Flattened<T> {
  readonly kind: "flatten";
  readonly value: Ref<readonly (readonly T[])[]> | readonly (readonly T[])[];
}

/** What a task's parameter of type T accepts in a normal call (a list also takes `flatten(...)`). */
export type Arg<T> = T | Ref<T> | (T extends readonly (infer E)[] ? Flattened<E> : never);

/** What a task's parameter of type T accepts in `map`. */
export type MapArg<T> = readonly T[] | Ref<readonly T[]> | Unmapped<T> | Flattened<T>;

export function unmapped<T>(value: T | Ref<T>): Unmapped<T> {
  return { kind: "unmapped", value };
}

export function flatten<T>(
  value: Ref<readonly (readonly T[])[]> | readonly (readonly T[])[],
): Flattened<T> {
  return { kind: "flatten", value };
}

/** The values a flow's outputs resolve to: a ref's value, or an object of refs' values. */
export type OutputValues<O> =
  O extends Ref<infer T>
    ? T
    : O extends Record<string, Ref<unknown>>
      ? { [K in keyof O]: O[K] extends Ref<infer T> ? T : never }
      : undefined;

/** What a flow's build function may return. */
export type FlowOutputs = Ref<unknown> | Record<string, Ref<unknown>> | void;
