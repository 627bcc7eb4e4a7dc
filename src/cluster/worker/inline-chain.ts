import type { ComputeTask } from "../messages.ts";
import type { WorkerRun } from "./worker-tasks.ts";

// Speculative assignment inside a task thread. A task run's `next` hints (the chain the scheduler
// lets this worker start on its own, speculation-hint.ts) that need nothing but the chain's own
// results and constants are handed to the thread with the task run: the thread runs each link
// right after the one before succeeds, with that result still in hand, and reports them all
// together. WorkerState claims each link as the results come in (as it claims any `next`); a link
// it does not claim (paused, stopping, cancelled, turned off) has its outcome dropped, and one the
// scheduler takes back too. This saves the two thread hops per link (result to the I/O loop,
// the dependent back to the thread), which were most of a chain link's time.

/** A link a thread runs after its task run (child -1); `s` is its number in the thread's order. */
export interface ChainLink {
  readonly n: number;
  readonly a: number;
  readonly m: number;
  readonly args: ComputeTask["args"];
}

/** Links a thread is handed at most with one task run (the scheduler's hints reach as far). */
const MAX_LINKS = 128;

/**
 * The `next` links of `t` its thread may run itself: while each is short (known to run under
 * 1 ms, no timeout) and every argument is a value, a constant or a result of the chain before it.
 */
export function inlineChain(run: WorkerRun, t: ComputeTask): ChainLink[] | undefined {
  if (t.c >= 0 || !t.next) return undefined;
  const held = [t.n];
  let links: ChainLink[] | undefined;
  for (let l: ComputeTask | undefined = t.next; l && held.length <= MAX_LINKS; l = l.next) {
    if (l.c >= 0 || !isShort(run, l.n) || !onlyChainInputs(l, held)) break;
    (links ??= []).push({ n: l.n, a: l.a, m: l.m, args: l.args });
    held.push(l.n);
  }
  return links;
}

function isShort(run: WorkerRun, n: number): boolean {
  const ms = run.durations.of(n);
  return run.spec.nodes[n]!.timeout === 0 && ms >= 0 && ms < 1;
}

function onlyChainInputs(l: ComputeTask, held: readonly number[]): boolean {
  for (let i = 0; i < l.args.length; i++) {
    const a = l.args[i];
    if (!a || a.k === "value" || l.who[i] === null) continue;
    if (a.k !== "result" || a.child >= 0 || !held.includes(a.node)) return false;
  }
  return true;
}
