import type { ArgRef } from "../../graph/commands.ts";
import type { FlowRun } from "./flow-run.ts";

/** One task run the scheduler is placing or has placed on a worker. */
export interface TaskRecord {
  readonly run: FlowRun;
  readonly node: number;
  readonly child: number;
  readonly attempt: number;
  readonly args: readonly ArgRef[];
  readonly measure: number;
  /** A recomputation of a lost result, outside the graph state machine. */
  readonly recompute: boolean;
  readonly key: string;
  worker: number;
  started: boolean;
  /** Lost inputs still being recomputed. */
  waiting: number;
}

export function taskKey(run: number, node: number, child: number): string {
  return `${run}|${node}|${child}`;
}
