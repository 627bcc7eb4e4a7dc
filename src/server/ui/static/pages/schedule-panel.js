// A flow's schedule: its clocks, its next start times and a pause/resume button that calls
// POST /api/flows/{id}/schedule/pause|resume.
import { get, post } from "../api.js";
import { announce, errorBox, fill, h } from "../dom.js";
import { clockText, dateTime, relative } from "../format.js";
import { orNull } from "./common.js";

/**
 * The schedule panel of `flow` (`schedule` given, or loaded; "none" when the flow has no clocks).
 */
export async function schedulePanel(flow, { upcoming = 5, schedule } = {}) {
  const box = h("div", { class: "schedule", "data-flow": flow.id });
  const draw = (s) => {
    if (!s || !s.clocks.length) {
      fill(
        box,
        h(
          "p",
          { class: "empty" },
          "No schedule: set one with ",
          h("code", {}, "flowgate schedules set"),
          ".",
        ),
      );
      return;
    }
    const now = Date.now();
    const button = h(
      "button",
      {
        type: "button",
        class: s.active ? "danger" : "primary",
        "data-action": s.active ? "pause" : "resume",
      },
      s.active ? "Pause schedule" : "Resume schedule",
    );
    const status = h("div", { "aria-live": "polite" });
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const next = await post(`flows/${flow.id}/schedule/${s.active ? "pause" : "resume"}`);
        announce(`Schedule of ${flow.name} ${next.active ? "resumed" : "paused"}`);
        draw(next);
        box.querySelector("button")?.focus();
      } catch (e) {
        fill(status, errorBox(e.message));
        button.disabled = false;
      }
    });
    fill(
      box,
      h(
        "p",
        {},
        h(
          "span",
          {
            class: `badge state-${s.active ? "ok" : "off"}`,
            "data-schedule": s.active ? "active" : "paused",
          },
          s.active ? "active" : "paused",
        ),
        " ",
        s.clocks.map(clockText).join("; "),
      ),
      s.active && s.upcoming.length
        ? h(
            "ol",
            { class: "upcoming", "aria-label": "Upcoming runs" },
            s.upcoming
              .slice(0, upcoming)
              .map((t) =>
                h("li", {}, dateTime(t), h("span", { class: "muted" }, ` (${relative(t, now)})`)),
              ),
          )
        : h(
            "p",
            { class: "muted" },
            s.active ? "No upcoming start." : "Paused: no runs are created.",
          ),
      button,
      status,
    );
  };
  try {
    draw(schedule !== undefined ? schedule : await orNull(get(`flows/${flow.id}/schedule`)));
  } catch (e) {
    fill(box, errorBox(e.message));
  }
  return box;
}
