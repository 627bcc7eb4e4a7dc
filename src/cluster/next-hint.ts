import {
  packTask,
  unpackTask,
  type ComputeTask,
  type NextHints,
  type WireHint,
} from "./messages.ts";

// Speculative assignment's `next` hints on the wire (CONTRACTS.md): a `compute` carries them in its
// own `next` field, beside its tasks, so that hints cost nothing to the task runs without one.

/** A hint chain (a ComputeTask and its nested `next`s, none a map child) on the wire. */
export function packHint(t: ComputeTask): WireHint {
  const [, , a, m, args, who] = packTask(t);
  return t.next ? [t.n, a, m, args, who, packHint(t.next)] : [t.n, a, m, args, who];
}

export function unpackHint(h: WireHint): ComputeTask {
  const [n, a, m, args, who, next] = h;
  const t = unpackTask([n, -1, a, m, args, who]);
  return next ? { ...t, next: unpackHint(next) } : t;
}

/** The tasks of a `compute`, each with its `next` hint when the batch has one for it. */
export function withHints(tasks: ComputeTask[], hints: NextHints | undefined): ComputeTask[] {
  if (!hints || hints.length === 0) return tasks;
  const byTask = new Map<string, WireHint>();
  for (const [n, c, h] of hints) byTask.set(`${n}|${c}`, h);
  return tasks.map((t) => {
    const h = byTask.get(`${t.n}|${t.c}`);
    return h ? { ...t, next: unpackHint(h) } : t;
  });
}
