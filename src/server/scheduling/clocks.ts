import { Cron } from "croner";
import type { Clock } from "../api/index.ts";
import { InvalidRequestError } from "../errors.ts";

/**
 * Start times of a clock. Cron clocks are evaluated by croner in the clock's IANA time zone, so a
 * daily 02:30 in Europe/Berlin skips the spring-forward day's missing hour and runs once on the
 * fall-back day; interval clocks are fixed periods of real time from `start`.
 */
export function nextTimes(clock: Clock, setAt: number, after: number, n: number): number[] {
  if (clock.type === "interval") {
    const start = clock.start ?? setAt;
    const period = clock.every * 1000;
    let k = Math.max(0, Math.floor((after - start) / period) + 1);
    if (start > after) k = 0;
    const out: number[] = [];
    for (; out.length < n; k++) out.push(Math.round(start + k * period));
    return out;
  }
  return cronOf(clock)
    .nextRuns(n, new Date(after))
    .map((d) => d.getTime());
}

function cronOf(clock: Extract<Clock, { type: "cron" }>): Cron {
  return new Cron(clock.cron, { timezone: clock.timezone ?? "UTC", paused: true });
}

/** Checks a clock (cron syntax, time zone); throws InvalidRequestError naming the problem. */
export function validateClock(clock: Clock, index: number): void {
  if (clock.type !== "cron") return;
  const tz = clock.timezone ?? "UTC";
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
  } catch {
    throw new InvalidRequestError(
      `clock ${index}: time zone ${JSON.stringify(tz)} is not an IANA zone name; use e.g. "Europe/Berlin" or "UTC"`,
    );
  }
  try {
    const c = cronOf(clock);
    if (c.nextRun(new Date()) === null) throw new Error("it never fires");
  } catch (e) {
    throw new InvalidRequestError(
      `clock ${index}: cron ${JSON.stringify(clock.cron)} is not valid (${(e as Error).message}); use 5 or 6 fields, e.g. "30 2 * * *"`,
    );
  }
}
