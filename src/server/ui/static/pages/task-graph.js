/* global document */
// The task graph of a small flow as SVG: one box per task, coloured by its state (mapped tasks
// show how many of their children are done), arrows from upstream to downstream tasks.
import { h } from "../dom.js";
import { count, stateFamily } from "../format.js";
import { graphLayout, MAX_GRAPH_TASKS } from "../graph-layout.js";

const SVG = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs))
    if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

/**
 * Draws `tasks` (a FlowGraph's tasks); `states` maps a task name to {state, done, total}
 * (from the run's task summary). Returns a note instead for graphs over MAX_GRAPH_TASKS.
 */
export function taskGraph(tasks, states) {
  if (!tasks.length) return h("p", { class: "empty" }, "No tasks.");
  if (tasks.length > MAX_GRAPH_TASKS)
    return h(
      "p",
      { class: "muted" },
      `${count(tasks.length)} tasks: too many to draw; see the counts per task.`,
    );
  const g = graphLayout(tasks);
  const pad = 8;
  const at = new Map(g.nodes.map((n) => [n.name, n]));
  const svg = s("svg", {
    width: g.width + 2 * pad,
    height: g.height + 2 * pad,
    viewBox: `${-pad} ${-pad} ${g.width + 2 * pad} ${g.height + 2 * pad}`,
    role: "img",
    "aria-label": `Task graph: ${tasks.length} tasks`,
    id: "task-graph",
  });
  svg.append(
    s(
      "defs",
      {},
      s(
        "marker",
        {
          id: "arrow",
          viewBox: "0 0 8 8",
          refX: 8,
          refY: 4,
          markerWidth: 7,
          markerHeight: 7,
          orient: "auto",
        },
        s("path", { d: "M0,0 L8,4 L0,8 z", class: "edge" }),
      ),
    ),
  );
  for (const e of g.edges) {
    const a = at.get(e.from);
    const b = at.get(e.to);
    const x1 = a.x + g.box.w;
    const y1 = a.y + g.box.h / 2;
    const x2 = b.x;
    const y2 = b.y + g.box.h / 2;
    const mx = (x1 + x2) / 2;
    svg.append(
      s("path", {
        class: "edge",
        d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`,
        "marker-end": "url(#arrow)",
      }),
    );
  }
  for (const n of g.nodes) {
    const st = states.get(n.name);
    const label = st
      ? `${n.name}: ${st.state}${st.total > 1 ? ` ${st.done}/${st.total}` : ""}`
      : n.name;
    const node = s(
      "g",
      {
        transform: `translate(${n.x},${n.y})`,
        "data-task": n.name,
        "data-state": st?.state ?? "Pending",
      },
      s("title", {}, label),
      s("rect", {
        width: g.box.w,
        height: g.box.h,
        rx: 6,
        class: `state-${stateFamily(st?.state ?? "Pending")}`,
      }),
      s("text", { x: 8, y: 15 }, n.name.length > 20 ? `${n.name.slice(0, 19)}…` : n.name),
      s(
        "text",
        { x: 8, y: 29, class: "muted" },
        st
          ? `${st.state}${st.total > 1 ? ` ${count(st.done)}/${count(st.total)}` : ""}`
          : "Pending",
      ),
    );
    svg.append(node);
  }
  return h("div", { class: "scroll-x" }, svg);
}
