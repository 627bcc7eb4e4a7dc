/* global document */
// Draws a Gantt layout (gantt-layout.js) as SVG: a label column of rows (workers or task
// names), bars coloured by state with a tooltip each, and a time axis.
import { h } from "../dom.js";
import { count, duration, stateFamily } from "../format.js";
import { ganttLayout } from "../gantt-layout.js";

const SVG = "http://www.w3.org/2000/svg";
const ROW = 16;
const LABEL = 150;

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

/**
 * A Gantt chart of `items` (timeline items: task, mapIndex, state, worker, startedAt, endedAt)
 * that are `total` task runs sampled down to `items.length`, `width` px wide.
 */
export function gantt(items, { total, width, now = Date.now(), by = "worker" }) {
  const plot = Math.max(200, width - LABEL);
  const g = ganttLayout(items, { width: plot, now, by });
  if (!g.rows.length)
    return h("p", { class: "empty gantt-empty" }, "No task run has a start time yet.");
  const height = g.rows.length * ROW + 24;
  let bars = 0;
  const svg = s("svg", {
    width: LABEL + plot,
    height,
    role: "img",
    "aria-label": `Timeline of ${count(items.length)} task runs${total > items.length ? ` sampled from ${count(total)}` : ""} on ${g.rows.length} ${by === "task" ? "tasks" : "workers"}`,
    id: "gantt",
  });
  for (const t of g.ticks) {
    svg.append(
      s("line", { class: "axis", x1: LABEL + t.x, x2: LABEL + t.x, y1: 0, y2: height - 18 }),
    );
    svg.append(s("text", { x: LABEL + t.x + 2, y: height - 5 }, duration(t.ms)));
  }
  g.rows.forEach((r, i) => {
    const y = i * ROW;
    svg.append(s("text", { x: 0, y: y + 12 }, r.key.length > 22 ? `…${r.key.slice(-21)}` : r.key));
    for (const b of r.bars) {
      bars++;
      svg.append(
        s(
          "rect",
          {
            x: LABEL + b.x,
            y: y + 2,
            width: b.w,
            height: ROW - 4,
            class: `gbar state-${stateFamily(b.state)}`,
          },
          s(
            "title",
            {},
            b.n > 1
              ? `${b.n} task runs (${b.task}…) ${b.state}, ${duration(b.end - b.start)}`
              : `${b.task}${b.mapIndex >= 0 ? `[${b.mapIndex}]` : ""} ${b.state}, ${duration(b.end - b.start)}`,
          ),
        ),
      );
    }
  });
  svg.dataset.bars = String(bars);
  return h(
    "figure",
    { class: "gantt" },
    h("div", { class: "scroll-x" }, svg),
    h(
      "figcaption",
      { class: "muted" },
      `${count(items.length)} task runs${total > items.length ? ` sampled evenly from ${count(total)}` : ""}; time from the first start.`,
      g.hiddenRows ? ` ${g.hiddenRows} more rows not shown.` : "",
    ),
  );
}
