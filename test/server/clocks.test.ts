import { test } from "node:test";
import assert from "node:assert/strict";
import { nextTimes, validateClock } from "../../src/server/scheduling/clocks.ts";

const iso = (ts: number[]) => ts.map((t) => new Date(t).toISOString());

test("clocks - a daily cron in Europe/Berlin over spring-forward: the missing 02:30 runs once, at 03:00", () => {
  const t = nextTimes(
    { type: "cron", cron: "30 2 * * *", timezone: "Europe/Berlin" },
    0,
    Date.parse("2026-03-27T12:00:00Z"),
    3,
  );
  assert.deepEqual(iso(t), [
    "2026-03-28T01:30:00.000Z",
    "2026-03-29T01:00:00.000Z",
    "2026-03-30T00:30:00.000Z",
  ]);
});

test("clocks - a daily cron over fall-back runs once although 02:30 happens twice", () => {
  const t = nextTimes(
    { type: "cron", cron: "30 2 * * *", timezone: "Europe/Berlin" },
    0,
    Date.parse("2026-10-24T12:00:00Z"),
    2,
  );
  assert.deepEqual(iso(t), ["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]);
});

test("clocks - 09:00 in New York stays 09:00 local across DST (the UTC time moves)", () => {
  const t = nextTimes(
    { type: "cron", cron: "0 9 * * *", timezone: "America/New_York" },
    0,
    Date.parse("2026-03-07T00:00:00Z"),
    2,
  );
  assert.deepEqual(iso(t), ["2026-03-07T14:00:00.000Z", "2026-03-08T13:00:00.000Z"]);
});

test("clocks - an interval clock is a fixed period of real time from its start", () => {
  const start = Date.parse("2026-10-25T00:00:00Z");
  const t = nextTimes({ type: "interval", every: 3600, start }, 0, start + 5400_000, 3);
  assert.deepEqual(iso(t), [
    "2026-10-25T02:00:00.000Z",
    "2026-10-25T03:00:00.000Z",
    "2026-10-25T04:00:00.000Z",
  ]);
  assert.deepEqual(nextTimes({ type: "interval", every: 10 }, 1000, 0, 2), [1000, 11000]);
});

test("clocks - bad cron expressions and time zones are refused with the value", () => {
  assert.throws(
    () => validateClock({ type: "cron", cron: "61 * * * *" }, 0),
    /cron "61 \* \* \* \*" is not valid/,
  );
  assert.throws(
    () => validateClock({ type: "cron", cron: "* * * * *", timezone: "Mars/Olympus" }, 1),
    /clock 1: time zone "Mars\/Olympus"/,
  );
  validateClock({ type: "cron", cron: "0 9 * * 1-5", timezone: "Asia/Tokyo" }, 0);
});
