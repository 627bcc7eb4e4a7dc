// The run page's tasks. A small run's task runs are read once when the page opens (graph,
// table, Gantt) and kept live from the run stream's `tasks` events (rows replaced by
// `updatedAt`). A large run (or one that grows past SMALL_RUN_TASKS while open) is shown from
// the `?tasks=summary` stream: the server's exact counts per task name and its sampled timeline,
// redrawn at most 4 times a second — the page keeps no counts of its own.
import { getAll, get } from "../api.js";
import { badge, errorBox, fill, h, table } from "../dom.js";
import { count, duration } from "../format.js";
import {
  barSegments,
  nodeStates,
  SMALL_RUN_TASKS,
  TASK_STATE_ORDER,
  TaskTable,
  throttle,
} from "../task-view.js";
import { stateFamily } from "../format.js";
import { gantt } from "./gantt.js";
import { taskGraph } from "./task-graph.js";

/**
 * The tasks panel of run `runId` whose flow graph has `graphTasks`; `toSummary()` is called
 * once when the run is (or becomes) large: the page then streams `?tasks=summary`.
 */
export function tasksView(runId, graphTasks, toSummary = () => {}) {
  const el = h(
    "div",
    { id: "tasks", "data-mode": "loading" },
    h("p", { class: "empty" }, "Loading tasks…"),
  );
  const width = () => Math.max(320, (el.clientWidth || 900) - 8);
  let small = null;
  let summary = null;
  let timeline = null;
  let closed = false;
  let loaded = false;
  // Live task runs that arrived while the first read was under way.
  let early = [];

  const drawSmall = () => {
    const rows = small.rows();
    const summary = small.summary();
    const now = Date.now();
    el.dataset.mode = "small";
    el.dataset.total = String(summary.total);
    fill(
      el,
      taskGraph(graphTasks, nodeStates(summary)),
      countsTable(summary),
      gantt(
        rows.filter((t) => t.startedAt).map((t) => ({ ...t })),
        { total: rows.length, width: width(), now, by: "task" },
      ),
      table(
        "Task runs",
        ["Task", "Map index", "State", "Worker", "Duration", "Message"],
        rows.map((t) => ({
          attrs: { "data-task": t.task, "data-index": t.mapIndex, "data-state": t.state },
          cells: [
            t.task,
            h("td", { class: "num" }, t.mapIndex >= 0 ? t.mapIndex : "–"),
            h("td", {}, badge(t.state)),
            t.worker ?? "–",
            t.startedAt ? duration((t.endedAt ?? now) - t.startedAt) : "–",
            t.message ?? "",
          ],
        })),
        { id: "task-runs" },
      ),
    );
  };

  // A large run: counts first, the sampled Gantt when the stream's (slower) timeline arrives.
  const graphBox = h("div", {});
  const countsBox = h("div", {});
  const ganttBox = h(
    "div",
    { class: "gantt-box" },
    h("p", { class: "empty" }, "Loading the timeline…"),
  );
  const drawCounts = () => {
    if (closed || !summary) return;
    el.dataset.total = String(summary.total);
    if (graphTasks.length <= 20) fill(graphBox, taskGraph(graphTasks, nodeStates(summary)));
    fill(countsBox, countsTable(summary));
  };
  const drawGantt = () => {
    if (closed || !timeline) return;
    fill(ganttBox, gantt(timeline.items, { total: timeline.total, width: width() }));
  };
  const showLarge = () => {
    el.dataset.mode = "large";
    fill(el, graphBox, countsBox, ganttBox);
    drawCounts();
    drawGantt();
    toSummary();
  };
  const redrawSmall = throttle(drawSmall, 250);
  const redrawCounts = throttle(drawCounts, 250);
  const redrawGantt = throttle(drawGantt, 250);

  let resyncing = null;
  /** Reads a small run's rows again (the stream reconnected or the run ended). */
  const resync = () =>
    (resyncing ??= (async () => {
      try {
        if (!small) return;
        small.apply(await getAll(`runs/${runId}/tasks`, {}, 1));
        if (!closed) redrawSmall();
      } catch (e) {
        if (!closed) fill(el, errorBox(e.message));
      } finally {
        resyncing = null;
      }
    })());

  const onTasks = (tasks) => {
    if (!loaded) {
      for (const t of tasks) early.push(t);
      return;
    }
    if (!small) return;
    small.apply(tasks);
    if (small.size <= SMALL_RUN_TASKS) return redrawSmall();
    // Grown past a small run: its exact rows give the counts until the summary stream's first.
    summary = small.summary();
    small = null;
    redrawSmall.cancel();
    showLarge();
  };

  return {
    el,
    /** Whether the run is shown as counts and a sampled Gantt (known after load). */
    get large() {
      return small === null && summary !== null;
    },
    /** Reads the task runs once; live events that came meanwhile are applied after. */
    async load() {
      const first = await get(`runs/${runId}/tasks/summary`);
      if (closed) return;
      if (first.total > SMALL_RUN_TASKS) {
        summary ??= first;
        loaded = true;
        early = [];
        return showLarge();
      }
      small = new TaskTable();
      small.apply(await getAll(`runs/${runId}/tasks`, {}, 1));
      if (closed) return;
      drawSmall();
      loaded = true;
      const rows = early;
      early = [];
      if (rows.length) onTasks(rows);
    },
    /** Task runs changed (a live `tasks` event of a small run). */
    onTasks,
    /** The exact counts (a `summary` event of the summary stream). */
    onSummary(next) {
      if (small) return;
      summary = next;
      if (el.dataset.mode === "large") redrawCounts();
    },
    /** The sampled timeline (a `timeline` event of the summary stream). */
    onTimeline(next) {
      if (small) return;
      timeline = next;
      if (el.dataset.mode === "large") redrawGantt();
    },
    /** The stream reconnected: changes may have been missed. */
    resync: () => (loaded ? resync() : undefined),
    /** The run ended: a small run's rows are read once more (a large one's final summary came). */
    async finished() {
      if (loaded) await resync();
    },
    close() {
      closed = true;
      redrawSmall.cancel();
      redrawCounts.cancel();
      redrawGantt.cancel();
    },
  };
}

/** Counts per task name and state: a stacked bar and the numbers. */
function countsTable(summary) {
  const states = new Set();
  for (const t of summary.tasks) for (const s of Object.keys(t.states)) states.add(s);
  return table(
    "Task runs per task",
    [
      "Task",
      "Total",
      "Progress",
      ...[...states].sort((a, b) => TASK_STATE_ORDER.indexOf(a) - TASK_STATE_ORDER.indexOf(b)),
    ],
    summary.tasks.map((t) => ({
      attrs: {
        "data-task": t.task,
        "data-total": t.total,
        ...Object.fromEntries(
          Object.entries(t.states).map(([s, n]) => [`data-${s.toLowerCase()}`, n]),
        ),
      },
      cells: [
        t.task,
        h("td", { class: "num" }, count(t.total)),
        h(
          "td",
          {},
          h(
            "div",
            {
              class: "bar",
              role: "img",
              "aria-label": Object.entries(t.states)
                .map(([s, n]) => `${count(n)} ${s}`)
                .join(", "),
            },
            barSegments(t.states, t.total, TASK_STATE_ORDER).map((seg) =>
              h("span", { class: `state-${stateFamily(seg.state)}`, style: `width:${seg.pct}%` }),
            ),
          ),
        ),
        ...[...states]
          .sort((a, b) => TASK_STATE_ORDER.indexOf(a) - TASK_STATE_ORDER.indexOf(b))
          .map((s) => h("td", { class: "num" }, count(t.states[s] ?? 0))),
      ],
    })),
    { id: "task-counts" },
  );
}
