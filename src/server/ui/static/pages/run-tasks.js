/* global setInterval, clearInterval */
// The run page's tasks. Read once when the page opens — every task run of a small run (graph,
// table, Gantt), counts per task name and a sampled timeline of a large one — then kept live
// from the run stream's `tasks` events: a small run's rows are replaced, a large run's counts
// and Gantt sample are updated in memory and redrawn at most 4 times a second (the Gantt every
// 2 s) however many task runs change. A large run's counts are read again only when the stream reconnected, when the
// run ended, and every RESYNC_MS while changes keep arriving whose previous state had to be
// guessed (see LiveCounts).
import { get, getAll } from "../api.js";
import { badge, errorBox, fill, h, table } from "../dom.js";
import { count, duration } from "../format.js";
import { GanttSample, LiveCounts } from "../live-counts.js";
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
const RESYNC_MS = 15_000;

/** The tasks panel of run `runId` whose flow graph has `graphTasks`. */
export function tasksView(runId, graphTasks) {
  const el = h(
    "div",
    { id: "tasks", "data-mode": "loading" },
    h("p", { class: "empty" }, "Loading tasks…"),
  );
  const width = () => Math.max(320, (el.clientWidth || 900) - 8);
  let small = null;
  let counts = null;
  let sample = null;
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

  // A large run: counts first, the sampled Gantt when the (slower) timeline arrives.
  const graphBox = h("div", {});
  const countsBox = h("div", {});
  const ganttBox = h(
    "div",
    { class: "gantt-box" },
    h("p", { class: "empty" }, "Loading the timeline…"),
  );
  const drawCounts = () => {
    if (closed || !counts) return;
    const summary = counts.summary();
    el.dataset.total = String(summary.total);
    if (graphTasks.length <= 20) fill(graphBox, taskGraph(graphTasks, nodeStates(summary)));
    fill(countsBox, countsTable(summary));
  };
  const drawGantt = () => {
    if (closed || !sample) return;
    fill(ganttBox, gantt(sample.items(), { total: sample.total, width: width() }));
  };
  const showLarge = () => {
    el.dataset.mode = "large";
    fill(el, graphBox, countsBox, ganttBox);
    drawCounts();
  };
  const readTimeline = async () => {
    // Asked after the counts: the server answers one query at a time, so the slower timeline
    // would otherwise hold the counts back.
    const t = await get(`runs/${runId}/tasks/timeline`, { samples: SAMPLES });
    if (closed) return;
    if (sample) sample.reset(t);
    else sample = new GanttSample(t, SAMPLES);
    drawGantt();
  };
  const redrawSmall = throttle(drawSmall, 250);
  const redrawCounts = throttle(drawCounts, 250);
  const redrawGantt = throttle(drawGantt, 2000);

  let resyncing = null;
  /** Reads what the stream cannot tell: the exact counts (and timeline, or every small row). */
  const resync = () =>
    (resyncing ??= (async () => {
      try {
        if (small) {
          small.apply(await getAll(`runs/${runId}/tasks`, {}, 1));
          if (!closed) redrawSmall();
        } else if (counts) {
          counts.reset(await get(`runs/${runId}/tasks/summary`));
          drawCounts();
          await readTimeline();
        }
      } catch (e) {
        if (!closed) fill(el, errorBox(e.message));
      } finally {
        resyncing = null;
      }
    })());
  let active = true;
  const guesses = setInterval(() => {
    if (active && counts && counts.guessed > 0) void resync();
  }, RESYNC_MS);

  const onTasks = (tasks) => {
    if (!loaded) {
      for (const t of tasks) early.push(t);
      return;
    }
    if (small) {
      small.apply(tasks);
      if (small.size <= SMALL_RUN_TASKS) return redrawSmall();
      // Grown past a small run: its exact rows seed the counts; the Gantt becomes a sample.
      const rows = small.rows();
      counts = new LiveCounts(small.summary(), rows);
      small = null;
      redrawSmall.cancel();
      showLarge();
      void readTimeline().catch(() => {});
      return;
    }
    counts.apply(tasks);
    redrawCounts();
    if (sample?.apply(tasks)) redrawGantt();
  };

  return {
    el,
    /** Whether the run is shown as counts and a sampled Gantt (known after load). */
    get large() {
      return counts !== null;
    },
    /** Reads the task runs once; live events that came meanwhile are applied after. */
    async load() {
      const summary = await get(`runs/${runId}/tasks/summary`);
      if (summary.total <= SMALL_RUN_TASKS) {
        small = new TaskTable();
        small.apply(await getAll(`runs/${runId}/tasks`, {}, 1));
        if (closed) return;
        drawSmall();
      } else {
        counts = new LiveCounts(summary);
        showLarge();
      }
      loaded = true;
      const first = early;
      early = [];
      if (first.length) onTasks(first);
      if (counts) await readTimeline().catch((e) => fill(ganttBox, errorBox(e.message)));
    },
    /** Task runs changed (a live `tasks` event). */
    onTasks,
    /** The stream reconnected: changes may have been missed. */
    resync: () => (loaded ? resync() : undefined),
    /** The run ended: one last exact read, then no more. */
    async finished() {
      active = false;
      if (loaded) await resync();
    },
    close() {
      closed = true;
      clearInterval(guesses);
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
