import type { ArgRef } from "./commands.ts";
import type { NodeRun } from "./node-run.ts";
import type { ArgSpec } from "./task-spec.ts";

/**
 * Where one argument of a task run comes from: a literal value, a whole upstream result (or all
 * of a mapped upstream's children), or, for a map child, its own item of an upstream: a child of
 * a mapped upstream, an index into a list result, or (flatten) an item's sub-item found through
 * the node's flatten offsets. `child` is -1 for a run that is not a map child.
 */
export function argRefOf(
  nodes: readonly NodeRun[],
  n: NodeRun,
  child: number,
  argIndex: number,
  a: ArgSpec,
): ArgRef {
  if (a.kind === "value") return { k: "value", value: a.value };
  const up = nodes[a.node]!;
  const flatten = a.mode === "flatten";
  if (child < 0 || a.mode === "whole") {
    if (up.width >= 0) return { k: "children", node: up.index, width: up.width, flatten };
    return { k: "result", node: up.index, child: -1, flatten };
  }
  if (a.mode === "mapped") {
    if (up.spec.mapped) return { k: "result", node: up.index, child };
    return { k: "result", node: up.index, child: -1, path: [child] };
  }
  const offsets = n.flattenOffsets!.get(argIndex)!;
  const item = upperBound(offsets, child) - 1;
  const sub = child - offsets[item]!;
  if (up.spec.mapped) return { k: "result", node: up.index, child: item, path: [sub] };
  return { k: "result", node: up.index, child: -1, path: [item, sub] };
}

/** First index whose value is greater than x (offsets are non-decreasing). */
function upperBound(offsets: Int32Array, x: number): number {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (offsets[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
