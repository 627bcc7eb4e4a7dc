// Pure log filtering of the run page (no DOM): minimum level, case-insensitive search, and the
// one-line text of a log line.
import { timeOfDay } from "./format.js";

export const LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"];

/** Whether `line` is at `minLevel` or above and contains `search` (any case) in its text. */
export function logMatches(line, minLevel, search) {
  const at = LEVELS.indexOf(line.level);
  if (at >= 0 && at < LEVELS.indexOf(minLevel)) return false;
  if (!search) return true;
  return logText(line).toLowerCase().includes(search.toLowerCase());
}

/** "12:00:01.250 INFO  [nap:17 @worker-1] message" (task, map index and worker when known). */
export function logText(line) {
  const where = [];
  if (line.task)
    where.push(
      line.mapIndex !== null && line.mapIndex >= 0 ? `${line.task}:${line.mapIndex}` : line.task,
    );
  if (line.worker) where.push(`@${line.worker}`);
  return `${timeOfDay(line.time)} ${line.level.padEnd(7)} ${where.length ? `[${where.join(" ")}] ` : ""}${line.message}`;
}

/** Splits `text` around each case-insensitive occurrence of `search`: [{text, hit}]. */
export function highlight(text, search) {
  if (!search) return [{ text, hit: false }];
  const lower = text.toLowerCase();
  const needle = search.toLowerCase();
  const out = [];
  let from = 0;
  for (let i = lower.indexOf(needle); i >= 0; i = lower.indexOf(needle, from)) {
    if (i > from) out.push({ text: text.slice(from, i), hit: false });
    out.push({ text: text.slice(i, i + needle.length), hit: true });
    from = i + needle.length;
  }
  if (from < text.length) out.push({ text: text.slice(from), hit: false });
  return out;
}
