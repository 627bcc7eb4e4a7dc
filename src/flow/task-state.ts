import { STATE_CODES, type StateType, type NodeSnapshot } from "../graph/index.ts";

/** A task run's state as `result.taskState()` returns it. */
export interface TaskState<T = unknown> {
  readonly type: StateType;
  readonly message: string | undefined;
  /** The stack of the error a failed task threw. */
  readonly stack: string | undefined;
  readonly result: T | undefined;
  /** Attempts made (1 + retries). */
  readonly attempts: number;
  /** The children of a mapped task, in map order. */
  readonly children: readonly TaskState<T extends readonly (infer E)[] ? E : unknown>[] | undefined;
}

/** Builds the public TaskState of a node from its snapshot; children are made on first access. */
export function taskStateOf(node: NodeSnapshot, result: unknown, hasResult: boolean): TaskState {
  let children: TaskState[] | undefined;
  const details = node.childDetails ? new Map(node.childDetails) : undefined;
  return {
    type: node.state,
    message: node.detail?.message,
    stack: node.detail?.stack,
    result: hasResult ? result : undefined,
    attempts: node.attempts,
    get children() {
      if (node.width < 0 || !node.childStates) return undefined;
      children ??= Array.from({ length: node.width }, (_, i) => {
        const d = details?.get(i);
        return {
          type: STATE_CODES[node.childStates![i]!]!,
          message: d?.message,
          stack: d?.stack,
          result: hasResult ? (result as unknown[] | undefined)?.[i] : undefined,
          attempts: node.childAttempts?.[i] ?? 0,
          children: undefined,
        };
      });
      return children;
    },
  };
}
