import type { ArgRef } from "../../graph/index.ts";
import type { FlowRun } from "./flow-run.ts";
import type { TaskStatus } from "./task-status.ts";

/**
 * One task run the scheduler has placed on a worker (or re-queued after a loss or a steal).
 * A map's children waiting in the queue have no record: see TaskQueue.
 */
export interface TaskRecord {
  readonly run: FlowRun;
  readonly node: number;
  readonly child: number;
  readonly attempt: number;
  readonly args: readonly ArgRef[];
  readonly measure: number;
  /** A recomputation of a lost result, outside the graph state machine. */
  readonly recompute: boolean;
  /** taskKey(node, child): unique within the run. */
  readonly key: number;
  /** Changed only by the transition table (see task-transitions.ts). */
  status: TaskStatus;
  worker: number;
  /** Lost inputs still being recomputed. */
  waiting: number;
  /** Handed back by a busy worker: placed by room, not by where its inputs are. */
  stolen: boolean;
}

/** A number naming a task run within its flow run (node < 2^21, child < 2^32 - 1). */
export function taskKey(node: number, child: number): number {
  return node * 4294967296 + child + 1;
}

/** The record of a run command, made when the task leaves the queue. */
export function makeRecord(
  run: FlowRun,
  node: number,
  child: number,
  recompute: boolean,
): TaskRecord {
  const n = run.state.nodes[node]!;
  const attempt = child < 0 ? n.attempts : (n.childAttempts?.[child] ?? 1);
  return {
    run,
    node,
    child,
    attempt,
    args: run.state.argsOf(node, child),
    measure: recompute ? 0 : n.measure,
    recompute,
    key: taskKey(node, child),
    status: "queued",
    worker: -1,
    waiting: 0,
    stolen: false,
  };
}
