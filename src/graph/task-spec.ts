/**
 * The contract between whoever builds a task graph (the flow library) and whoever runs it
 * (LocalExecutor, the cluster scheduler): plain data, no functions, so it crosses the wire.
 */

export const TriggerName = {
  allSuccessful: "allSuccessful",
  allFinished: "allFinished",
  anyFailed: "anyFailed",
  anySuccessful: "anySuccessful",
} as const;
export type TriggerName = (typeof TriggerName)[keyof typeof TriggerName];

/** How an upstream result reaches an argument. */
export type EdgeMode =
  /** the upstream's value whole (for a mapped upstream: the list of its children's values) */
  | "whole"
  /** item i of the upstream goes to child i (only on mapped tasks) */
  | "mapped"
  /** the upstream's value flattened one level; mapped over on mapped tasks, whole otherwise */
  | "flatten";

export type ArgSpec =
  | { readonly kind: "value"; readonly value: unknown }
  | { readonly kind: "ref"; readonly node: number; readonly mode: EdgeMode };

export interface TaskSpec {
  /** Task run name, unique in the graph: `inc`, `inc-2`, `x` (parameters). */
  readonly id: string;
  /** Stable key by which the code host finds the task's function. */
  readonly key: string;
  /** A constant node (a parameter's value) succeeds at once with `value`. */
  readonly constant?: { readonly value: unknown };
  readonly args: readonly ArgSpec[];
  /** A mapped task runs once per item of its mapped inputs. */
  readonly mapped: boolean;
  /** Indexes of upstream nodes this one waits for without using their values. */
  readonly upstream: readonly number[];
  readonly maxRetries: number;
  readonly retryDelay: number;
  /** Milliseconds; 0 = none. */
  readonly timeout: number;
  readonly trigger: TriggerName;
  readonly skipOnUpstreamSkip: boolean;
  readonly tags: readonly string[];
}

/** A whole graph; nodes are in topological order (every ref points to an earlier node). */
export interface GraphSpec {
  readonly nodes: readonly TaskSpec[];
}
