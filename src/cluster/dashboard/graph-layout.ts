import type { GraphSpec } from "../../graph/index.ts";

/** Graphs with more nodes than this are not drawn (as Dask's graph-max-items). */
export const GRAPH_MAX_NODES = 200;

/** A task graph placed for drawing: node positions in layer/row units, and edges as node indexes. */
export interface GraphLayout {
  readonly nodes: {
    readonly id: string;
    readonly layer: number;
    readonly row: number;
    readonly mapped: boolean;
    readonly constant: boolean;
  }[];
  readonly edges: [number, number][];
  readonly layers: number;
  readonly rows: number;
}

/**
 * A simple layered layout: each node sits one layer right of its deepest upstream (nodes come
 * in topological order), and within a layer nodes are ordered by the mean row of their
 * upstreams (one barycentre pass), which keeps most edges short on the small graphs it is for.
 * Returns undefined for graphs over GRAPH_MAX_NODES.
 */
export function layoutGraph(spec: GraphSpec): GraphLayout | undefined {
  const n = spec.nodes.length;
  if (n > GRAPH_MAX_NODES) return undefined;
  const edges: [number, number][] = [];
  const ups: number[][] = spec.nodes.map((t, i) => {
    const from = new Set<number>(t.upstream);
    for (const a of t.args) if (a.kind === "ref") from.add(a.node);
    for (const u of from) edges.push([u, i]);
    return [...from];
  });
  const layer = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++)
    for (const u of ups[i]!) layer[i] = Math.max(layer[i]!, layer[u]! + 1);
  const layers = n === 0 ? 0 : Math.max(...layer) + 1;
  const row = new Array<number>(n).fill(0);
  let rows = 0;
  for (let l = 0; l < layers; l++) {
    const members = [...Array(n).keys()].filter((i) => layer[i] === l);
    const key = (i: number) =>
      ups[i]!.length ? ups[i]!.reduce((a, u) => a + row[u]!, 0) / ups[i]!.length : i;
    members.sort((a, b) => key(a) - key(b) || a - b);
    members.forEach((i, r) => (row[i] = r));
    rows = Math.max(rows, members.length);
  }
  return {
    nodes: spec.nodes.map((t, i) => ({
      id: t.id,
      layer: layer[i]!,
      row: row[i]!,
      mapped: t.mapped,
      constant: t.constant !== undefined,
    })),
    edges,
    layers,
    rows,
  };
}
