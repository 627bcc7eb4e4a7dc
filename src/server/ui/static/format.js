// Pure formatting helpers of the server UI (no DOM): times, durations, states, values.

/** Run states in their lifecycle order, and the ones a run never leaves. */
export const RUN_STATES = [
  "Scheduled",
  "Queued",
  "Submitted",
  "Running",
  "Cancelling",
  "Success",
  "Failed",
  "Cancelled",
  "Crashed",
];
export const FINISHED_STATES = ["Success", "Failed", "Cancelled", "Crashed"];

/** Whether a run in `state` is over. */
export function isFinished(state) {
  return FINISHED_STATES.includes(state);
}

/**
 * The colour family of a run or task state, used as a CSS class (`state-<family>`): the text of
 * the state is always shown too, so colour is never the only cue.
 */
export function stateFamily(state) {
  switch (state) {
    case "Success":
    case "Mapped":
    case "Cached":
      return "ok";
    case "Failed":
    case "Crashed":
    case "TimedOut":
      return "bad";
    case "Running":
    case "Submitted":
    case "Retrying":
      return "run";
    case "Cancelling":
    case "Cancelled":
    case "Skipped":
    case "TriggerFailed":
      return "off";
    case "Queued":
      return "wait";
    default:
      return "idle";
  }
}

/** A duration in ms as "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min", "3 d 4 h". */
export function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  const a = Math.max(0, ms);
  if (a < 1000) return `${Math.round(a)} ms`;
  if (a < 60_000) return `${(a / 1000).toFixed(a < 10_000 ? 2 : 1)} s`;
  const s = Math.floor(a / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  if (s < 86400)
    return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** `at` relative to `now`: "in 5 min 00 s", "12.0 s ago", "just now". */
export function relative(at, now) {
  if (at === null || at === undefined) return "–";
  const d = at - now;
  if (Math.abs(d) < 1000) return "just now";
  return d > 0 ? `in ${duration(d)}` : `${duration(-d)} ago`;
}

const pad = (n, w = 2) => String(n).padStart(w, "0");

/** A local date-time "2026-11-30 23:05:09" (ms since the epoch), or "–". */
export function dateTime(ms) {
  if (ms === null || ms === undefined) return "–";
  const d = new Date(ms);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** A local time of day with milliseconds "23:05:09.120" (log lines). */
export function timeOfDay(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** The run's wall time so far (running) or in all (finished), or null before it started. */
export function runDuration(run, now) {
  if (!run.startedAt) return null;
  return (run.endedAt ?? now) - run.startedAt;
}

/** A JSON value in one short line (parameters in tables), cut at `max` characters. */
export function brief(value, max = 60) {
  let s;
  try {
    s = JSON.stringify(value);
  } catch {
    s = String(value);
  }
  if (s === undefined) s = String(value);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A count with thin groups: 100000 → "100,000". */
export function count(n) {
  return Number(n ?? 0).toLocaleString("en-US");
}

/** Seconds of compute as "1.5 worker-s" style text: "12.3 s", "4 min 05 s". */
export function seconds(s) {
  if (s === null || s === undefined) return "–";
  return duration(s * 1000);
}

/** A schedule clock in words: "every 5 min 00 s", "cron 0 9 * * 1-5 (Europe/Paris)". */
export function clockText(clock) {
  if (clock.type === "interval") return `every ${duration(clock.every * 1000)}`;
  return `cron ${clock.cron} (${clock.timezone ?? "UTC"})`;
}
