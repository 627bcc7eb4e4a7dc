import type { ArgRef } from "./commands.ts";

/** Reads a stored result: a node's own (child -1) or one child's. */
export type ResultLookup = (node: number, child: number) => unknown;

/** Turns an argument reference into its value, given where results are stored. */
export function resolveArg(ref: ArgRef, lookup: ResultLookup): unknown {
  switch (ref.k) {
    case "value":
      return ref.value;
    case "result": {
      let v = lookup(ref.node, ref.child);
      if (ref.path) for (const i of ref.path) v = (v as unknown[])[i];
      return ref.flatten ? (v as unknown[]).flat(1) : v;
    }
    case "children": {
      const list = new Array<unknown>(ref.width);
      for (let c = 0; c < ref.width; c++) list[c] = lookup(ref.node, c);
      return ref.flatten ? list.flat(1) : list;
    }
  }
}

/** Length facts a run was asked to report about its value (see Measure). */
export function measureValue(
  value: unknown,
  measure: number,
): { length?: number; innerLengths?: number[] } {
  if (measure === 0 || !Array.isArray(value)) return {};
  if (measure === 1) return { length: value.length };
  return {
    length: value.length,
    innerLengths: value.map((x) => (Array.isArray(x) ? x.length : -1)),
  };
}
