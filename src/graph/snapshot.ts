import type { FailureDetail } from "./node-run.ts";
import type { GraphState } from "./graph-state.ts";
import type { StateType } from "./states.ts";

/** The final (or current) states of a graph run, as plain data that crosses the wire. */
export interface NodeSnapshot {
  readonly state: StateType;
  readonly detail?: FailureDetail;
  readonly attempts: number;
  /** children of a mapped node; -1 when it never mapped */
  readonly width: number;
  /** one state code (index into STATE_CODES) per child */
  readonly childStates?: Uint8Array;
  readonly childAttempts?: Uint8Array;
  readonly childDetails?: readonly (readonly [number, FailureDetail])[];
}

export type GraphSnapshot = readonly NodeSnapshot[];

export function snapshotOf(graph: GraphState): GraphSnapshot {
  return graph.nodes.map((n) => ({
    state: n.state,
    detail: n.detail,
    attempts: n.attempts,
    width: n.width,
    childStates: n.childStates,
    childAttempts: n.childAttempts,
    childDetails: n.childDetails.size > 0 ? [...n.childDetails] : undefined,
  }));
}
