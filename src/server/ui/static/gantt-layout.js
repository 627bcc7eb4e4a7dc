// Pure Gantt layout of the run page (no DOM): task runs (already sampled by the server's
// timeline endpoint) become rows of bars in pixels; bars that would overlap inside one pixel
// column are merged so a row never holds more bars than it is wide.

/**
 * Lays out `items` ({task, mapIndex, state, worker, startedAt, endedAt}) on `width` pixels.
 * Rows are per worker (or per task name with `by: "task"`), at most `maxRows` (the rest are
 * counted in `hiddenRows`). Unfinished bars end at `now`.
 */
export function ganttLayout(items, { width, now, by = "worker", maxRows = 40 }) {
  if (!items.length) return { t0: now, t1: now, rows: [], hiddenRows: 0, ticks: [] };
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const it of items) {
    t0 = Math.min(t0, it.startedAt);
    t1 = Math.max(t1, it.endedAt ?? now);
  }
  if (t1 <= t0) t1 = t0 + 1;
  const scale = width / (t1 - t0);
  const groups = new Map();
  for (const it of items) {
    const k = (by === "task" ? it.task : it.worker) ?? "(no worker)";
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(it);
  }
  const keys = [...groups.keys()].sort();
  const rows = keys.slice(0, maxRows).map((k) => ({
    key: k,
    bars: mergeBars(groups.get(k), t0, scale, now),
  }));
  return {
    t0,
    t1,
    rows,
    hiddenRows: Math.max(0, keys.length - maxRows),
    ticks: ticks(t0, t1, width),
  };
}

function mergeBars(items, t0, scale, now) {
  const sorted = items.slice().sort((a, b) => a.startedAt - b.startedAt);
  const bars = [];
  for (const it of sorted) {
    const x = (it.startedAt - t0) * scale;
    const end = ((it.endedAt ?? now) - t0) * scale;
    const prev = bars[bars.length - 1];
    // Merge a bar that starts inside the previous one's last pixel and has its state: on a
    // 100,000-task run this is what keeps the SVG small.
    if (prev && prev.state === it.state && x <= prev.x + prev.w + 1) {
      prev.w = Math.max(prev.w, end - prev.x);
      prev.n++;
      prev.end = Math.max(prev.end, it.endedAt ?? now);
      continue;
    }
    bars.push({
      x,
      w: Math.max(1, end - x),
      state: it.state,
      task: it.task,
      mapIndex: it.mapIndex,
      start: it.startedAt,
      end: it.endedAt ?? now,
      n: 1,
    });
  }
  return bars;
}

const STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000,
  300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
];

/** Axis ticks about every 100 px: [{x, ms}] with `ms` the offset from the start. */
export function ticks(t0, t1, width) {
  const span = t1 - t0;
  const want = Math.max(1, Math.floor(width / 100));
  const step = STEPS.find((s) => span / s <= want) ?? STEPS[STEPS.length - 1];
  const out = [];
  for (let ms = 0; ms <= span; ms += step) out.push({ x: (ms * width) / span, ms });
  return out;
}
