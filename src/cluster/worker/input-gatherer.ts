import type { ArgRef } from "../../graph/index.ts";
import type { Who } from "../messages.ts";
import { DepsBuilder, type TaskInput } from "./packed-deps.ts";
import type { ResultStore } from "./result-store.ts";

/** Inputs handled between yields to the event loop, so that heartbeats and peer requests keep flowing. */
export const GATHER_CHUNK = 16_384;
/** Keys per fetch request to one peer (bounds each frame and each handler's run on both ends). */
export const FETCH_BATCH = 32_768;

/** Where a task's inputs are: local ones already in `deps`, the rest by holder as flat [node, child] pairs. */
export interface InputPlan {
  readonly deps: DepsBuilder;
  readonly remote: Map<number, number[]>;
}

/** Fetches results ("node|child" keys) from a holder; null for each one it no longer has. */
export type FetchFn = (holder: number, keys: string[]) => Promise<(Buffer | null)[]>;

/** How many upstream results a task reads from workers. */
export function inputCount(args: readonly (ArgRef | null)[]): number {
  let n = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a?.k === "children") n += a.width;
    else if (a) n++;
  }
  return n;
}

/** A small task's inputs: those held here, and the rest as flat [holder, node, child, sticky] quads. */
export interface SmallPlan {
  readonly inputs: readonly TaskInput[];
  readonly remote: readonly number[];
}

/**
 * Plans a small task's inputs in one go (no yields). An input is sticky (kept decoded in the
 * thread, see TaskInput) when a map child reads a non-mapped result or indexes into one.
 */
export function planInputs(
  store: ResultStore,
  run: number,
  child: number,
  args: readonly (ArgRef | null)[],
  who: readonly Who[],
): SmallPlan {
  // Arrays only when there is something to put in them: most map children read no input here.
  let inputs: TaskInput[] | undefined;
  let remote: number[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const w = who[i];
    if (!a || w === null || w === undefined) continue;
    if (a.k === "result" && typeof w === "number") {
      if (w < 0) continue;
      const sticky = child >= 0 && (a.child < 0 || a.path !== undefined);
      const bytes = store.get(run, a.node, a.child);
      if (bytes) (inputs ??= []).push({ node: a.node, child: a.child, bytes, sticky });
      else (remote ??= []).push(w, a.node, a.child, sticky ? 1 : 0);
    } else if (a.k === "children" && typeof w !== "number") {
      for (let c = 0; c < a.width; c++) {
        const h = w[c]!;
        if (h < 0) continue;
        const bytes = store.get(run, a.node, c);
        if (bytes) (inputs ??= []).push({ node: a.node, child: c, bytes, sticky: false });
        else (remote ??= []).push(h, a.node, c, 0);
      }
    }
  }
  if (!inputs && !remote) return NO_INPUTS;
  return { inputs: inputs ?? [], remote: remote ?? [] };
}

/** The plan of a task that reads no input from workers (shared: never written to). */
const NO_INPUTS: SmallPlan = Object.freeze({
  inputs: Object.freeze([]),
  remote: Object.freeze([]),
});

/** Plans a task's inputs, awaiting `pause()` every GATHER_CHUNK inputs (a reduce over a million results). */
export async function planInputsChunked(
  store: ResultStore,
  run: number,
  args: readonly (ArgRef | null)[],
  who: readonly Who[],
  pause: () => Promise<void>,
): Promise<InputPlan> {
  const plan: InputPlan = { deps: new DepsBuilder(), remote: new Map() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const width = a?.k === "children" ? a.width : 1;
    for (let from = 0; from < width; from += GATHER_CHUNK) {
      collect(plan, store, run, a, who[i], from, from + GATHER_CHUNK);
      await pause();
    }
  }
  return plan;
}

function collect(
  plan: InputPlan,
  store: ResultStore,
  run: number,
  a: ArgRef | null | undefined,
  w: Who | undefined,
  from: number,
  to: number,
): void {
  if (!a || w === null || w === undefined) return;
  const need = (node: number, child: number, holder: number) => {
    const local = store.get(run, node, child);
    if (local) return plan.deps.add(node, child, local);
    let l = plan.remote.get(holder);
    if (!l) plan.remote.set(holder, (l = []));
    l.push(node, child);
  };
  if (a.k === "result" && typeof w === "number") {
    if (w >= 0 && from === 0) need(a.node, a.child, w);
  } else if (a.k === "children" && typeof w !== "number") {
    const end = Math.min(a.width, to);
    for (let c = from; c < end; c++) if (w[c]! >= 0) need(a.node, c, w[c]!);
  }
}

/**
 * Fetches the plan's remote inputs from their holders (in batches of FETCH_BATCH keys, holders in
 * parallel), storing each in `store` and adding it to the plan's deps. Returns the ones no holder
 * had any more, as flat [node, child, holder] triples.
 */
export async function fetchRemote(
  plan: InputPlan,
  store: Pick<ResultStore, "set">,
  run: number,
  fetch: FetchFn,
): Promise<number[]> {
  const lost: number[] = [];
  await Promise.all(
    [...plan.remote].map(async ([holder, pairs]) => {
      for (let i = 0; i < pairs.length; i += 2 * FETCH_BATCH) {
        const end = Math.min(pairs.length, i + 2 * FETCH_BATCH);
        const keys: string[] = [];
        for (let j = i; j < end; j += 2) keys.push(`${pairs[j]}|${pairs[j + 1]}`);
        const values = await fetch(holder, keys);
        for (let j = i, k = 0; j < end; j += 2, k++) {
          const v = values[k];
          const n = pairs[j]!;
          const c = pairs[j + 1]!;
          if (v) {
            store.set(run, n, c, v);
            plan.deps.add(n, c, v);
          } else lost.push(n, c, holder);
        }
      }
    }),
  );
  return lost;
}

/** Lets the event loop run (timers, I/O) before continuing. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
