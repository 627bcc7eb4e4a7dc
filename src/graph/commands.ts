import type { StateType } from "./states.ts";

/**
 * Where an argument's value comes from. Executors turn these into values: LocalExecutor from
 * its in-memory results, a cluster worker by fetching results from the worker that holds them.
 */
export type ArgRef =
  | { readonly k: "value"; readonly value: unknown }
  /** node's own result (child -1) or child's result; then indexed by path; or flattened whole */
  | {
      readonly k: "result";
      readonly node: number;
      readonly child: number;
      readonly path?: readonly number[];
      readonly flatten?: boolean;
    }
  /** the list of a mapped node's child results (flattened one level when asked) */
  | {
      readonly k: "children";
      readonly node: number;
      readonly width: number;
      readonly flatten?: boolean;
    };

/** What the executor must report about a successful value besides the value itself. */
export const Measure = { none: 0, length: 1, innerLengths: 2 } as const;
export type Measure = (typeof Measure)[keyof typeof Measure];

/** How a run attempt ended, as the executor reports it. */
export type Outcome =
  | {
      readonly type: "Success";
      /** the result's length when it is an array and the run asked for Measure.length or more */
      readonly length?: number;
      /** each item's length when asked for Measure.innerLengths; -1 for an item that is no array */
      readonly innerLengths?: readonly number[];
    }
  | { readonly type: "Failed" | "TimedOut"; readonly message: string; readonly stack?: string }
  | { readonly type: "Skipped"; readonly message: string };

/** What the graph state machine asks its shell to do. */
export type GraphCommand =
  | {
      readonly type: "run";
      readonly node: number;
      readonly child: number;
      readonly attempt: number;
      readonly args: readonly ArgRef[];
      readonly measure: Measure;
    }
  | {
      readonly type: "retry";
      readonly node: number;
      readonly child: number;
      readonly delay: number;
    }
  /** a task run ended in a state other than Success without running, or failed: worth a log line */
  | {
      readonly type: "ended";
      readonly node: number;
      readonly child: number;
      readonly state: StateType;
      readonly message: string;
    }
  /** no task needs this node's results any more */
  | { readonly type: "release"; readonly node: number }
  | { readonly type: "done" };
