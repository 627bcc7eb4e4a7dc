// Pure task-run bookkeeping of the run page (no DOM): exact per-task states for small runs,
// counts per task name for any run, and a throttle so a flood of live events costs one refresh.

/** Runs with more task runs than this are shown as counts and a sampled Gantt, not a table. */
export const SMALL_RUN_TASKS = 300;

const key = (t) => `${t.task}\u0000${t.mapIndex}`;

/** Every task run of a small run, updated in place by live `tasks` events. */
export class TaskTable {
  #rows = new Map();

  /**
   * Adds or replaces task runs (a page of GET …/tasks or a live event); a row older than the one
   * held (by updatedAt) is ignored, so a page read after the stream opened cannot undo it.
   */
  apply(tasks) {
    for (const t of tasks) {
      const k = key(t);
      const held = this.#rows.get(k);
      if (!held || !(held.updatedAt > t.updatedAt)) this.#rows.set(k, t);
    }
  }

  get size() {
    return this.#rows.size;
  }

  /** Task runs sorted by task name, then map index. */
  rows() {
    return [...this.#rows.values()].sort((a, b) =>
      a.task === b.task ? a.mapIndex - b.mapIndex : a.task < b.task ? -1 : 1,
    );
  }

  /** Counts per task name and state, shaped as GET …/tasks/summary answers. */
  summary() {
    return summarize(this.#rows.values());
  }
}

/** A TaskSummary ({total, tasks:[{task,total,states}]}) of a list of task runs. */
export function summarize(tasks) {
  const by = new Map();
  let total = 0;
  for (const t of tasks) {
    total++;
    let s = by.get(t.task);
    if (!s) by.set(t.task, (s = { task: t.task, total: 0, states: {} }));
    s.total++;
    s.states[t.state] = (s.states[t.state] ?? 0) + 1;
  }
  return { total, tasks: [...by.values()].sort((a, b) => (a.task < b.task ? -1 : 1)) };
}

/**
 * The segments of one task name's stacked bar: each state's share in % (ordered finished-first
 * so the bar grows from the left), states under 0.5 % still get a visible sliver.
 */
export function barSegments(states, total, order) {
  if (!total) return [];
  const names = Object.keys(states).sort((a, b) => rank(a, order) - rank(b, order));
  return names
    .filter((s) => states[s] > 0)
    .map((s) => ({ state: s, count: states[s], pct: Math.max(0.5, (100 * states[s]) / total) }));
}

function rank(state, order) {
  const i = order.indexOf(state);
  return i < 0 ? order.length : i;
}

/** Task states in the order bars show them. */
export const TASK_STATE_ORDER = [
  "Success",
  "Mapped",
  "Cached",
  "Skipped",
  "Failed",
  "TimedOut",
  "TriggerFailed",
  "Cancelled",
  "Retrying",
  "Running",
  "Submitted",
  "Pending",
];

// Wrapped: a browser refuses setTimeout called as a method of another object.
const browserTimers = { set: (f, ms) => setTimeout(f, ms), clear: (t) => clearTimeout(t) };

/**
 * Calls `fn` at most once per `ms`: the first call runs at once, calls during the pause are
 * folded into one trailing run. `timers` is { set, clear } (setTimeout/clearTimeout).
 */
export function throttle(fn, ms, timers = browserTimers) {
  let last = -Infinity;
  let timer = null;
  let now = () => Date.now();
  const run = () => {
    timer = null;
    last = now();
    fn();
  };
  const call = () => {
    if (timer) return;
    const wait = last + ms - now();
    if (wait <= 0) run();
    else timer = timers.set(run, wait);
  };
  call.cancel = () => {
    if (timer) timers.clear(timer);
    timer = null;
  };
  call.setClock = (fnNow) => {
    now = fnNow;
  };
  return call;
}

const DONE = new Set([
  "Success",
  "Failed",
  "Cancelled",
  "Skipped",
  "TimedOut",
  "TriggerFailed",
  "Cached",
  "Mapped",
]);

/**
 * One state for a task name's node in the graph, from its counts: Failed if any failed, else
 * Running if any runs, else Success when all are done, else the most common state; with how
 * many of its runs are done.
 */
export function nodeState(entry) {
  const st = entry.states;
  let done = 0;
  for (const [s, n] of Object.entries(st)) if (DONE.has(s)) done += n;
  let state;
  if (st.Failed || st.TimedOut) state = "Failed";
  else if (st.Running || st.Retrying) state = "Running";
  else if (done === entry.total) state = st.Success || st.Mapped ? "Success" : Object.keys(st)[0];
  else state = Object.entries(st).sort((a, b) => b[1] - a[1])[0]?.[0] ?? "Pending";
  return { state, done, total: entry.total };
}

/** Graph node states by task name from a TaskSummary. */
export function nodeStates(summary) {
  return new Map(summary.tasks.map((t) => [t.task, nodeState(t)]));
}
