// Pure live bookkeeping of a large run's tasks (no DOM): counts per task name and state kept
// up to date from the run stream's `tasks` events (which carry each changed task run's new
// state, not its old one), and a bounded sample of task runs for the Gantt.

/** Unfinished task states: a summary's task runs in these may still change. */
const UNFINISHED = ["Running", "Retrying", "Submitted", "Pending"];

/**
 * The unfinished states a task run can come from to reach a state, most likely first. A task run
 * first seen live in a state none of these lead to (Pending, or Running when no counted run is
 * Pending, Submitted or Retrying) is a new one.
 */
const BEFORE = {
  Running: ["Submitted", "Pending", "Retrying"],
  Retrying: ["Running", "Submitted"],
  Submitted: ["Pending", "Retrying"],
  Pending: [],
};
const BEFORE_FINISHED = ["Running", "Retrying", "Submitted", "Pending"];

/**
 * Counts per task name and state: a summary (GET …/tasks/summary) plus the live changes since.
 * A task run seen live before has a known previous state. One first seen live was either counted
 * in the summary in an unfinished state that leads to its new one (it is taken from that pool)
 * or is new (the total grows). That guess can be wrong (a task run counted Pending reported
 * Pending again, new ones reported straight as finished while counted ones are unfinished);
 * `guessed` says how many were guessed since the last `reset`, so the page knows when a fresh
 * summary is worth reading.
 */
export class LiveCounts {
  #by = new Map();
  #pool = new Map();
  #seen = new Map();
  #total = 0;
  /** Task runs whose previous state was guessed since the last reset. */
  guessed = 0;

  /** `summary` a TaskSummary; `rows` task runs whose states it already counts (optional). */
  constructor(summary, rows = []) {
    for (const t of rows) this.#seenOf(t.task).set(t.mapIndex, t.state);
    this.reset(summary);
  }

  /** Starts again from a newer summary (which counts every change applied so far). */
  reset(summary) {
    this.#by = new Map(
      summary.tasks.map((t) => [t.task, { task: t.task, total: t.total, states: { ...t.states } }]),
    );
    this.#total = summary.total;
    this.#pool = new Map();
    for (const t of summary.tasks) {
      const pool = {};
      for (const s of UNFINISHED) if (t.states[s]) pool[s] = t.states[s];
      for (const state of this.#seen.get(t.task)?.values() ?? []) if (pool[state]) pool[state]--;
      this.#pool.set(t.task, pool);
    }
    this.guessed = 0;
  }

  /** Applies task runs' new states (a live `tasks` event). */
  apply(tasks) {
    for (const t of tasks) {
      const seen = this.#seenOf(t.task);
      let prev = seen.get(t.mapIndex);
      if (prev === undefined) {
        prev = this.#claim(t.task, t.state);
        if (prev !== null) this.guessed++;
      }
      seen.set(t.mapIndex, t.state);
      if (prev === t.state) continue;
      let entry = this.#by.get(t.task);
      if (!entry) this.#by.set(t.task, (entry = { task: t.task, total: 0, states: {} }));
      if (prev === null) {
        entry.total++;
        this.#total++;
      } else if (--entry.states[prev] <= 0) delete entry.states[prev];
      entry.states[t.state] = (entry.states[t.state] ?? 0) + 1;
    }
  }

  /** The counts, shaped as GET …/tasks/summary answers. */
  summary() {
    const tasks = [...this.#by.values()]
      .map((e) => ({ task: e.task, total: e.total, states: { ...e.states } }))
      .sort((a, b) => (a.task < b.task ? -1 : 1));
    return { total: this.#total, tasks };
  }

  #seenOf(task) {
    let m = this.#seen.get(task);
    if (!m) this.#seen.set(task, (m = new Map()));
    return m;
  }

  /** The state a task run first seen live most likely had in the summary; null: a new one. */
  #claim(task, next) {
    const pool = this.#pool.get(task);
    if (!pool) return null;
    const pick = (BEFORE[next] ?? BEFORE_FINISHED).find((s) => pool[s] > 0);
    if (pick === undefined) return null;
    pool[pick]--;
    return pick;
  }
}

const key = (t) => `${t.task}\u0000${t.mapIndex}`;

/**
 * The Gantt's sample of a large run: the server's evenly sampled timeline, kept live. Sampled
 * task runs take their new state and end; task runs that start after the timeline was read join
 * the sample by reservoir sampling, so it stays at most `cap` items and stays uniform.
 */
export class GanttSample {
  #items = [];
  #at = new Map();
  #since = -Infinity;
  /** How many task runs with a start time the sample stands for. */
  total = 0;

  constructor(timeline, cap, random = Math.random) {
    this.cap = cap;
    this.random = random;
    this.reset(timeline);
  }

  /** Starts again from a timeline answer ({total, items}). */
  reset(timeline) {
    this.#items = timeline.items.slice(0, this.cap).map((t) => ({ ...t }));
    this.#at = new Map(this.#items.map((t, i) => [key(t), i]));
    this.total = Math.max(timeline.total, this.#items.length);
    this.#since = -Infinity;
    for (const t of this.#items) if (t.startedAt > this.#since) this.#since = t.startedAt;
  }

  /** Applies task runs' new states (a live `tasks` event); true when the sample changed. */
  apply(tasks) {
    let changed = false;
    for (const t of tasks) {
      const i = this.#at.get(key(t));
      if (i !== undefined) {
        const it = this.#items[i];
        it.state = t.state;
        it.endedAt = t.endedAt;
        it.worker = t.worker ?? it.worker;
        if (t.startedAt) it.startedAt = t.startedAt;
        changed = true;
        continue;
      }
      // Task runs that started before the timeline was read are already in `total`.
      if (!t.startedAt || t.startedAt <= this.#since) continue;
      this.total++;
      const item = {
        task: t.task,
        mapIndex: t.mapIndex,
        state: t.state,
        worker: t.worker,
        startedAt: t.startedAt,
        endedAt: t.endedAt,
      };
      if (this.#items.length < this.cap) {
        this.#at.set(key(item), this.#items.length);
        this.#items.push(item);
        changed = true;
        continue;
      }
      const j = Math.floor(this.random() * this.total);
      if (j >= this.cap) continue;
      this.#at.delete(key(this.#items[j]));
      this.#items[j] = item;
      this.#at.set(key(item), j);
      changed = true;
    }
    return changed;
  }

  /** The sampled task runs (timeline items). */
  items() {
    return this.#items;
  }
}
