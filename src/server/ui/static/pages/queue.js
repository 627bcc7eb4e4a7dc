/* global setInterval, clearInterval */
// "Waiting" page: runs that should be running but are not, and why — Queued behind a
// concurrency limit (the reason names it), Scheduled runs no live agent's labels cover (the
// server's warning names the labels), late runs no agent has claimed yet; and the limits.
import { get, subscribe } from "../api.js";
import { badge, errorBox, fill, h, link, section, table } from "../dom.js";
import { dateTime, relative } from "../format.js";
import { throttle } from "../task-view.js";
import { labels, liveBadge } from "./common.js";

/** A Scheduled run this much past its start time without a claim is listed as late. */
const LATE_MS = 5000;

/** Renders the waiting-runs page; returns the cleanup. */
export async function render(view) {
  const live = liveBadge();
  const body = h("div", {}, h("p", { class: "empty" }, "Loading…"));
  view.append(h("h1", {}, "Waiting runs ", live), body);
  const draw = async () => {
    try {
      const [queued, scheduled, limits] = await Promise.all([
        get("runs", { state: "Queued", limit: 500 }).then((p) => p.items),
        get("runs", { state: "Scheduled", limit: 500 }).then((p) => p.items),
        get("concurrency-limits")
          .then((r) => r.items)
          .catch(() => null),
      ]);
      const now = Date.now();
      const stranded = scheduled.filter((r) => r.warning);
      const late = scheduled.filter((r) => !r.warning && r.scheduledAt < now - LATE_MS);
      const upcoming = scheduled.filter((r) => !r.warning && r.scheduledAt >= now - LATE_MS);
      const runTable = (id, caption, runs, why) =>
        runs.length
          ? table(
              caption,
              ["Run", "Flow", "State", "Why", "Start time", "Labels"],
              runs.map((r) => ({
                attrs: { "data-run": r.id },
                cells: [
                  link(`runs/${r.id}`, `#${r.id}`),
                  link(`flows/${r.flowId}`, r.flowName),
                  h("td", {}, badge(r.state)),
                  h("td", { class: "why" }, why(r)),
                  h("td", { title: dateTime(r.scheduledAt) }, relative(r.scheduledAt, now)),
                  h("td", {}, labels(r.labels)),
                ],
              })),
              { id },
            )
          : h("p", { class: "empty" }, "None.");
      fill(
        body,
        section(
          "Queued behind a concurrency limit",
          {},
          runTable(
            "queued",
            "Queued runs",
            queued,
            (r) => r.stateReason ?? "waiting for a concurrency slot",
          ),
        ),
        section(
          "No agent can take them",
          {},
          runTable("stranded", "Runs no live agent can take", stranded, (r) => r.warning),
        ),
        section(
          "Late: not claimed yet",
          {},
          runTable(
            "late",
            "Late runs",
            late,
            () => "no agent has claimed it yet (agents busy or at their concurrency)",
          ),
        ),
        section(
          "Upcoming",
          {},
          runTable(
            "upcoming",
            "Upcoming runs",
            upcoming
              .slice()
              .sort((a, b) => a.scheduledAt - b.scheduledAt)
              .slice(0, 20),
            () => "scheduled",
          ),
        ),
        section(
          "Concurrency limits",
          {},
          limits === null
            ? h("p", { class: "muted" }, "Not visible to you.")
            : limits.length
              ? table(
                  "Concurrency limits",
                  ["Scope", "Key", "Limit", "Active"],
                  limits.map((l) => [
                    l.scope,
                    l.key,
                    h("td", { class: "num" }, l.limit),
                    h("td", { class: "num" }, l.active),
                  ]),
                  { id: "limits" },
                )
              : h("p", { class: "empty" }, "No limits set."),
        ),
      );
    } catch (e) {
      fill(body, errorBox(e.message));
    }
  };
  await draw();
  const again = throttle(() => void draw(), 1000);
  const close = subscribe("events", { run: () => again() }, live.set);
  const timer = setInterval(again, 10_000);
  return () => {
    close();
    again.cancel();
    clearInterval(timer);
  };
}
