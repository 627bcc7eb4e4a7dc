import type { ComputeTask, Who } from "../messages.ts";
import type { FlowRun, TaskRecord } from "./flow-run.ts";

// Speculative assignment on dependent chains. When the scheduler places a task whose only
// dependent waits for nothing else, and every other input of that dependent is held by the same
// worker, the compute carries the dependent as a `next` hint, and that one its own dependent, and
// so on down the chain (up to SPECULATION_DEPTH links). The worker starts each link the moment
// the one before succeeds and claims it in its `done` (`claimed`), saving a scheduler round trip
// per link. The scheduler accepts a claim when its graph state commands that run on the same
// `done` (the queued -> processing transition, without a compute), else it sends `take-back`
// (speculation-claims.ts).

/** Links a compute's `next` hints reach ahead; past them the scheduler places the chain again. */
export const SPECULATION_DEPTH = 128;

/**
 * The `next` hint for a task run placed on `worker`, or undefined when its dependent cannot run
 * there on its own: the task must be a whole (non-mapped) node with exactly one dependent, a
 * non-mapped task that waits only for this chain, whose trigger passes when all its upstreams
 * succeed and whose other data inputs are constants or held by `worker`. The hint nests the
 * dependent's own hint, to SPECULATION_DEPTH links.
 */
export function speculationHint(
  run: FlowRun,
  rec: TaskRecord,
  worker: number,
): ComputeTask | undefined {
  if (rec.child >= 0 || rec.recompute) return undefined;
  const chain: number[] = [rec.node];
  const links: ComputeTask[] = [];
  while (links.length < SPECULATION_DEPTH) {
    const link = nextLink(run, chain, worker);
    if (!link) break;
    links.push(link);
    chain.push(link.n);
  }
  let hint: ComputeTask | undefined;
  for (let i = links.length - 1; i >= 0; i--) hint = hint ? { ...links[i]!, next: hint } : links[i];
  return hint;
}

/** The dependent of the chain's last node that may run on `worker` right after it, if any. */
function nextLink(run: FlowRun, chain: readonly number[], worker: number): ComputeTask | undefined {
  const nodes = run.state.nodes;
  const last = chain[chain.length - 1]!;
  const up = nodes[last]!;
  if (up.dependents.length !== 1 || up.width >= 0) return undefined;
  const d = nodes[up.dependents[0]!.node]!;
  if (d.spec.mapped || d.spec.constant || d.state !== "Pending") return undefined;
  if (d.spec.trigger === "anyFailed") return undefined;
  let open = 0;
  for (const u of d.upstreams) {
    if (chain.includes(u.node)) {
      open++;
      continue;
    }
    const other = nodes[u.node]!;
    if (other.state !== "Success") return undefined;
    if (!u.data || run.isConstant(u.node)) continue;
    if (other.width >= 0 || run.holderOf(u.node, -1) !== worker) return undefined;
  }
  // Every gate still closed must be one of the chain's (a gate per distinct upstream node).
  if (d.gates !== open) return undefined;
  const args = run.state.argsOf(d.index, -1);
  const who: Who[] = [];
  for (const a of args) {
    if (a.k === "value" || (a.k === "result" && run.isConstant(a.node))) who.push(null);
    else if (a.k === "result") who.push(chain.includes(a.node) ? worker : run.holderOf(a.node, -1));
    else return undefined;
  }
  return { n: d.index, c: -1, a: d.attempts + 1, m: d.measure, args, who };
}
