// Pure layered layout of a flow's task graph (no DOM): each task sits one column right of its
// deepest upstream task; rows inside a column follow their upstreams' rows to limit crossings.

/** Graphs with more tasks than this are not drawn (the run page shows counts and a Gantt). */
export const MAX_GRAPH_TASKS = 80;

/**
 * Positions `tasks` ({name, upstream: names}) in columns. Returns nodes {name, col, row, x, y}
 * (x/y: the node's top-left in px for boxes of `box` size with `gap` between them), edges
 * {from, to} of node names, and the drawing's width and height.
 */
export function graphLayout(tasks, box = { w: 150, h: 36 }, gap = { x: 50, y: 18 }) {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const col = new Map();
  const visiting = new Set();
  const depth = (name) => {
    if (col.has(name)) return col.get(name);
    if (visiting.has(name)) return 0; // a cycle cannot come from a flow; never loop on bad data
    visiting.add(name);
    const t = byName.get(name);
    const ups = (t?.upstream ?? []).filter((u) => byName.has(u));
    const d = ups.length ? 1 + Math.max(...ups.map(depth)) : 0;
    visiting.delete(name);
    col.set(name, d);
    return d;
  };
  for (const t of tasks) depth(t.name);
  const columns = [];
  for (const t of tasks) (columns[col.get(t.name)] ??= []).push(t.name);
  const row = new Map();
  columns.forEach((names, c) => {
    if (c > 0) {
      const centre = (n) => {
        const ups = byName.get(n).upstream.filter((u) => row.has(u));
        return ups.length ? ups.reduce((s, u) => s + row.get(u), 0) / ups.length : 0;
      };
      names.sort((a, b) => centre(a) - centre(b));
    }
    names.forEach((n, r) => row.set(n, r));
  });
  const nodes = tasks.map((t) => {
    const c = col.get(t.name);
    const r = row.get(t.name);
    return { name: t.name, col: c, row: r, x: c * (box.w + gap.x), y: r * (box.h + gap.y) };
  });
  const edges = [];
  for (const t of tasks)
    for (const u of t.upstream) if (byName.has(u)) edges.push({ from: u, to: t.name });
  const rowsMax = Math.max(0, ...columns.map((c) => c.length));
  return {
    nodes,
    edges,
    width: columns.length * (box.w + gap.x) - gap.x,
    height: rowsMax * (box.h + gap.y) - gap.y,
    box,
  };
}
