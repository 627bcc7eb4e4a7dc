/* global setInterval, clearInterval */
// The run page's tasks: for a small run every task run (graph + table + Gantt), exact and live;
// for a large one counts per task name and a sampled Gantt, refreshed at most once a second
// from the server's summary and timeline however many task events arrive (and every few
// seconds while the run is active).
import { get, getAll } from "../api.js";
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

const SAMPLES = 600;
const RESYNC_MS = 3000;

/** The tasks panel of run `runId` whose flow graph has `graphTasks`. */
export function tasksView(runId, graphTasks) {
  const el = h(
    "div",
    { id: "tasks", "data-mode": "loading" },
    h("p", { class: "empty" }, "Loading tasks…"),
  );
  const width = () => Math.max(320, (el.clientWidth || 900) - 8);
  let small = null;
  let closed = false;

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

  // Counts first (one cheap GROUP BY), the sampled Gantt when the timeline arrives: a large
  // run's page is readable before its slower timeline query is done.
  let ganttEl = null;
  const refreshLarge = async (known) => {
    try {
      const summary = known ?? (await get(`runs/${runId}/tasks/summary`));
      if (closed) return;
      el.dataset.mode = "large";
      el.dataset.total = String(summary.total);
      ganttEl ??= h(
        "div",
        { class: "gantt-box" },
        h("p", { class: "empty" }, "Loading the timeline…"),
      );
      fill(
        el,
        graphTasks.length <= 20 ? taskGraph(graphTasks, nodeStates(summary)) : null,
        countsTable(summary),
        ganttEl,
      );
      // Asked after the counts: the server answers one query at a time, so the slower
      // timeline would otherwise hold the counts back.
      const timeline = get(`runs/${runId}/tasks/timeline`, { samples: SAMPLES });
      const t = await timeline;
      if (closed) return;
      fill(ganttEl, gantt(t.items, { total: t.total, width: width() }));
    } catch (e) {
      if (!closed) fill(el, errorBox(e.message));
    }
  };
  const redrawSmall = throttle(drawSmall, 250);
  const redrawLarge = throttle(() => void refreshLarge(), 1000);
  // A large run's counts are also re-read every few seconds while it is active, so they stay
  // right even when task events were missed (a reconnect, a dropped notice).
  let active = true;
  const heartbeat = setInterval(() => {
    if (active && !small) redrawLarge();
  }, RESYNC_MS);

  return {
    el,
    /** Whether the run is shown as counts and a sampled Gantt (known after load). */
    get large() {
      return small === null && el.dataset.mode === "large";
    },
    async load() {
      const summary = await get(`runs/${runId}/tasks/summary`);
      if (summary.total <= SMALL_RUN_TASKS) {
        small = new TaskTable();
        small.apply(await getAll(`runs/${runId}/tasks`, {}, 1));
        drawSmall();
      } else await refreshLarge(summary);
    },
    /** Task runs changed (a live `tasks` event). */
    onTasks(tasks) {
      if (small) {
        small.apply(tasks);
        if (small.size > SMALL_RUN_TASKS) {
          small = null;
          redrawSmall.cancel();
          redrawLarge();
        } else redrawSmall();
      } else redrawLarge();
    },
    /** The run ended: a last refresh, then no more periodic ones. */
    finished() {
      if (!small && active) redrawLarge();
      active = false;
    },
    close() {
      closed = true;
      clearInterval(heartbeat);
      redrawSmall.cancel();
      redrawLarge.cancel();
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
