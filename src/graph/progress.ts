import type { GraphState } from "./graph-state.ts";
import { isFailed, isFinished, STATE_CODES } from "./states.ts";

/** How far one task (all its children, for a mapped one) has come. */
export interface TaskProgress {
  readonly name: string;
  /** Task runs expected: 1, or the width of a map once known (0 before). */
  readonly total: number;
  /** Task runs finished, whatever their state. */
  readonly finished: number;
  /** Of those, the ones that failed (Failed, TriggerFailed, TimedOut, Cancelled). */
  readonly failed: number;
}

/** Progress per task of a graph run (constant inputs left out), cheap enough to call often. */
export function progressOf(state: GraphState): TaskProgress[] {
  const out: TaskProgress[] = [];
  for (const n of state.nodes) {
    if (n.spec.constant) continue;
    if (n.width < 0 || !n.childStates) {
      const done = isFinished(n.state) && n.state !== "Mapped";
      out.push({
        name: n.spec.id,
        total: n.spec.mapped && !done ? 0 : 1,
        finished: done ? 1 : 0,
        failed: done && isFailed(n.state) ? 1 : 0,
      });
      continue;
    }
    let failed = 0;
    for (const [child] of n.childDetails)
      if (isFailed(STATE_CODES[n.childStates[child]!]!)) failed++;
    out.push({ name: n.spec.id, total: n.width, finished: n.finishedChildren, failed });
  }
  return out;
}
