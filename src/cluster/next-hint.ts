import type { ArgRef } from "../graph/index.ts";
import type { ComputeTask, HintArg, NextHints, WireHint } from "./messages.ts";

// Speculative assignment's `next` hints on the wire (CONTRACTS.md): a `compute` carries them in its
// own `next` field, beside its tasks (a ComputeBatch), so that hints cost nothing to the task runs
// without one. A hint is one per chain link, never per map child, so its arguments travel as small
// tuples (HintArg) rather than in the batch's typed-array encoding.

function packArg(a: ArgRef | null): HintArg {
  if (!a || a.k === "value") return null;
  if (a.k === "children") return a.flatten ? [2, a.node, a.width, 1] : [2, a.node, a.width];
  if (a.flatten) return [1, a.node, a.child, a.path ?? null, 1];
  return a.path ? [1, a.node, a.child, a.path] : [1, a.node, a.child];
}

function unpackArg(x: HintArg): ArgRef | null {
  if (!x) return null;
  if (x[0] === 2)
    return { k: "children", node: x[1], width: x[2], flatten: x[3] === 1 || undefined };
  return {
    k: "result",
    node: x[1],
    child: x[2],
    path: x[3] ?? undefined,
    flatten: x[4] === 1 || undefined,
  };
}

/** A hint chain (a ComputeTask and its nested `next`s, none a map child) on the wire. */
export function packHint(t: ComputeTask): WireHint {
  const args = t.args.map(packArg);
  return t.next ? [t.n, t.a, t.m, args, t.who, packHint(t.next)] : [t.n, t.a, t.m, args, t.who];
}

/** A hint chain back into ComputeTasks (child -1), each with its own `next`. */
export function unpackHint(h: WireHint): ComputeTask {
  const [n, a, m, wire, who, next] = h;
  const args = wire.map(unpackArg);
  return { n, c: -1, a, m, args, who, next: next ? unpackHint(next) : undefined };
}

/**
 * Sets each task's `next` from the batch's hints (in place: the tasks were just decoded, and a
 * batch without hints is returned as it is, at no cost).
 */
export function withHints(tasks: ComputeTask[], hints: NextHints | undefined): ComputeTask[] {
  if (!hints || hints.length === 0) return tasks;
  const byTask = new Map<string, WireHint>();
  for (const [n, c, h] of hints) byTask.set(`${n}|${c}`, h);
  for (let i = 0; i < tasks.length; i++) {
    const t = tasks[i]!;
    const h = byTask.get(`${t.n}|${t.c}`);
    if (h)
      tasks[i] = { n: t.n, c: t.c, a: t.a, m: t.m, args: t.args, who: t.who, next: unpackHint(h) };
  }
  return tasks;
}
