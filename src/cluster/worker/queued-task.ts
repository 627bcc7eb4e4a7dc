import { resolveArg, type ArgRef, type TaskSpec } from "../../graph/index.ts";
import { decodeValue } from "../wire/codec.ts";
import { depBytes, indexDeps, type BatchInputs } from "./packed-deps.ts";
import { inputKey } from "./input-key.ts";
import type { RunState } from "./task-invocation.ts";
import type { ThreadTask } from "./thread-messages.ts";

// A TaskRunner's task runs as it queues them, and their argument values built from their inputs.

/** A queued task run with its batch's inputs: (run -> key -> index) of the non-sticky ones. */
export interface Queued {
  readonly task: ThreadTask;
  readonly inputs: BatchInputs | undefined;
  readonly index: Map<number, Map<number, number>>;
  /** A chain link's: the results of the chain before it, by inputKey (inline-chain.ts). */
  readonly carried?: Map<number, Uint8Array>;
}

/** The index of a task run whose batch has no non-sticky inputs. */
export const noIndex = new Map<number, Map<number, number>>();

/** After `q` succeeded with `bytes`: its first chain link, to run next, with the chain's results. */
export function nextLink(q: Queued, bytes: Uint8Array): Queued {
  const t = q.task;
  const [l, ...rest] = t.chain!;
  const carried = q.carried ?? new Map<number, Uint8Array>();
  carried.set(inputKey(t.n, t.c), bytes);
  const { n, a, m, args } = l!;
  const s = t.s + 1;
  const task: ThreadTask = rest.length
    ? { run: t.run, n, c: -1, a, m, args, s, chain: rest }
    : { run: t.run, n, c: -1, a, m, args, s };
  return { task, inputs: undefined, index: noIndex, carried };
}

/**
 * The inputs of the task run whose arguments are being built. Module state and one lookup
 * function rather than a closure per task run: closures cost more than a no-op task (the
 * precompiled runtime names each one it makes).
 */
const inputs = {
  info: undefined as RunState | undefined,
  q: undefined as Queued | undefined,
  ownIndex: undefined as Map<number, number> | undefined,
  batchIndex: undefined as Map<number, number> | undefined,
  cache: undefined as Map<number, unknown> | undefined,
};

function lookupInput(node: number, child: number): unknown {
  const info = inputs.info!;
  const c = info.spec.nodes[node]!.constant;
  if (c) return c.value;
  const k = inputKey(node, child);
  if (info.shared.has(k)) return info.shared.get(k);
  const cache = (inputs.cache ??= new Map());
  if (cache.has(k)) return cache.get(k);
  let v: unknown;
  const q = inputs.q!;
  const i = inputs.ownIndex?.get(k);
  const carried = q.carried?.get(k);
  if (carried) v = decodeValue(carried);
  else if (i !== undefined) v = decodeValue(depBytes(q.task.deps!, i));
  else {
    const j = inputs.batchIndex?.get(k);
    if (j !== undefined) v = decodeValue(depBytes(q.inputs!, j));
  }
  cache.set(k, v);
  return v;
}

/** A task run's argument values (resolving references through lookupInput). */
export function buildArgs(q: Queued, info: RunState, spec: TaskSpec): unknown[] {
  const t = q.task;
  inputs.info = info;
  inputs.q = q;
  inputs.ownIndex = t.deps ? indexDeps(t.deps) : undefined;
  inputs.batchIndex = q.index.get(t.run);
  inputs.cache = undefined;
  try {
    const args = new Array<unknown>(spec.args.length);
    for (let i = 0; i < spec.args.length; i++) {
      const a = spec.args[i]!;
      args[i] = a.kind === "value" ? a.value : resolveArg(t.args[i] as ArgRef, lookupInput);
    }
    return args;
  } finally {
    inputs.info = inputs.q = inputs.ownIndex = inputs.batchIndex = inputs.cache = undefined;
  }
}
