// Schedules page: every flow that has a schedule, its clocks, its upcoming runs, pause/resume.
import { get, getAll } from "../api.js";
import { errorBox, fill, h, link } from "../dom.js";
import { orNull } from "./common.js";
import { schedulePanel } from "./schedule-panel.js";

/** Renders the schedules page. */
export async function render(view) {
  const body = h("div", {}, h("p", { class: "empty" }, "Loading schedules…"));
  view.append(h("h1", {}, "Schedules"), body);
  try {
    const flows = await getAll("flows");
    const withSchedule = (
      await Promise.all(
        flows.map(async (f) => ({ f, s: await orNull(get(`flows/${f.id}/schedule`)) })),
      )
    ).filter((x) => x.s && x.s.clocks.length);
    if (!withSchedule.length) {
      fill(
        body,
        h(
          "p",
          { class: "empty" },
          "No flow has a schedule: attach one at registration or with ",
          h("code", {}, "flowgate schedules set"),
          ".",
        ),
      );
      return undefined;
    }
    const panels = await Promise.all(
      withSchedule.map(async ({ f, s }) =>
        h(
          "section",
          { "data-flow": f.id, "aria-labelledby": `schedule-${f.id}` },
          h(
            "h2",
            { id: `schedule-${f.id}` },
            link(`flows/${f.id}`, `${f.project ? `${f.project}/` : ""}${f.name}`),
          ),
          await schedulePanel(f, { schedule: s, upcoming: 10 }),
        ),
      ),
    );
    fill(body, h("div", { class: "grid" }, panels));
  } catch (e) {
    fill(body, errorBox(e.message));
  }
  return undefined;
}
