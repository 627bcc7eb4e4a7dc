import { snapshotOf } from "../../graph/snapshot.ts";
import type { FlowRun } from "./flow-run.ts";
import { planGather, storeGathered } from "./gather-plan.ts";
import type { SchedulerState } from "./scheduler-state.ts";

/** Collects the kept results from their holders, recomputing lost ones, then answers the client. */
export function gather(s: SchedulerState, run: FlowRun): void {
  const plan = planGather(run);
  for (const [n, c] of plan.lost) s.recompute(run, n, c, undefined);
  if (plan.complete) return finishRun(s, run);
  for (const [w, keys] of plan.ask) s.send(w, { t: "gather", run: run.id, keys });
}

/** A holder's answer to a `gather`. */
export function gathered(
  s: SchedulerState,
  run: FlowRun,
  keys: string[],
  values: (Buffer | null)[],
): void {
  if (!run.gathering || run.finished) return;
  storeGathered(run, keys, values);
  gather(s, run);
}

function finishRun(s: SchedulerState, run: FlowRun): void {
  if (run.finished) return;
  const got = run.gathering!;
  s.out.push({
    k: "send",
    to: run.client,
    msg: { t: "result", ref: run.ref, snapshot: snapshotOf(run.state), keys: [...got.keys()] },
    bulk: [...got.values()],
  });
  s.forget(run);
}
