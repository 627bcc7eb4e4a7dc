import { STATE_CODES, stateCode, isFailed, isSuccessful, type StateType } from "./states.ts";
import { emptyCounts, type UpstreamCounts } from "./triggers.ts";
import type { TaskSpec } from "./task-spec.ts";
import type { Measure } from "./commands.ts";

export interface FailureDetail {
  readonly message: string;
  readonly stack?: string;
}

/** How a dependent waits on an upstream node. */
export const Gate = {
  /** until the upstream and all its children have finished */
  complete: 0,
  /** until a mapped upstream knows its width; its children are then awaited one by one */
  expanded: 1,
} as const;
export type Gate = (typeof Gate)[keyof typeof Gate];

/**
 * The run-time record of one graph node. A mapped node keeps its children in typed arrays (a byte
 * of state each) and details only for the children that did not succeed, so that a large map
 * costs a few bytes per child.
 */
export class NodeRun {
  state: StateType = "Pending";
  detail: FailureDetail | undefined;
  attempts = 0;
  /** Upstream gates still closed. */
  gates = 0;
  /** Children of a mapped node once expanded; -1 before. */
  width = -1;
  childStates: Uint8Array | undefined;
  childAttempts: Uint8Array | undefined;
  /** Child-level upstream children each child still waits for. */
  childGates: Uint16Array | undefined;
  readonly childDetails = new Map<number, FailureDetail>();
  finishedChildren = 0;
  complete = false;
  /** Result length (non-mapped) when measured; -1 when unknown or not an array. */
  length = -1;
  innerLengths: readonly number[] | undefined;
  /** Per-child result lengths, kept when a flatten consumer needs them. */
  childLengths: Int32Array | undefined;
  /** State counts this node contributes to a downstream trigger. */
  readonly counts: UpstreamCounts = emptyCounts();
  /** Counts of whole-level upstreams, fixed when a mapped node expands. */
  wholeCounts: UpstreamCounts | undefined;
  /** For each flatten-mapped arg: the prefix sums that turn a child index into (item, sub-item). */
  flattenOffsets: Map<number, Int32Array> | undefined;
  readonly dependents: { node: number; gate: Gate }[] = [];
  /** Mapped dependents that wait for this mapped node child by child. */
  readonly childDependents: number[] = [];
  /** Distinct upstream nodes and how this node waits for each. */
  readonly upstreams: { node: number; gate: Gate; data: boolean }[] = [];
  dataConsumersLeft = 0;
  measure: Measure = 0;
  released = false;

  constructor(
    readonly index: number,
    readonly spec: TaskSpec,
  ) {}

  childState(child: number): StateType {
    return STATE_CODES[this.childStates![child]!]!;
  }

  setChildState(child: number, state: StateType): void {
    this.childStates![child] = stateCode[state];
  }

  /** Adds one state to this node's trigger counts. */
  count(state: StateType): void {
    this.counts.total++;
    if (isSuccessful(state)) this.counts.successful++;
    if (isFailed(state)) this.counts.failed++;
    if (state === "Skipped") this.counts.skipped++;
  }
}
