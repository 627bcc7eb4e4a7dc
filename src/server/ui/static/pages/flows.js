// Flows page: every flow you can see with its latest version, labels, schedule and last runs
// as coloured states; the dots follow new runs live.
import { get, getAll, subscribe } from "../api.js";
import { errorBox, fill, h, link, table } from "../dom.js";
import { labels, liveBadge, orNull, runDots, scheduleText } from "./common.js";

const LAST_RUNS = 10;

/** Renders the flows page into `view`; returns the cleanup. */
export async function render(view) {
  const live = liveBadge();
  const body = h("div", {}, h("p", { class: "empty" }, "Loading flows…"));
  view.append(h("h1", {}, "Flows ", live), body);
  let flows;
  try {
    flows = await getAll("flows");
  } catch (e) {
    fill(body, errorBox(e.message));
    return undefined;
  }
  if (!flows.length) {
    fill(
      body,
      h(
        "p",
        { class: "empty" },
        "No flows registered yet: run ",
        h("code", {}, "flowgate register FILE --server URL"),
        ".",
      ),
    );
    return undefined;
  }
  const cells = new Map();
  const rows = await Promise.all(
    flows.map(async (f) => {
      const [schedule, runs] = await Promise.all([
        orNull(get(`flows/${f.id}/schedule`)),
        get("runs", { flow: String(f.id), limit: LAST_RUNS }).then((p) => p.items),
      ]);
      const dots = h("td", {}, runDots(runs));
      cells.set(f.id, { dots, runs });
      return {
        attrs: { "data-flow": f.id },
        cells: [
          link(`flows/${f.id}`, `${f.project ? `${f.project}/` : ""}${f.name}`),
          h("td", { class: "num" }, `v${f.latestVersion}`),
          h("td", {}, labels(f.labels)),
          h("td", {}, scheduleText(schedule)),
          dots,
          h("td", {}, link(`flows/${f.id}?create=1`, "New run", { class: "button" })),
        ],
      };
    }),
  );
  fill(
    body,
    table(
      "Flows",
      ["Flow", "Version", "Labels", "Schedule", "Last runs (newest first)", ""],
      rows,
      {
        id: "flows",
      },
    ),
  );
  return subscribe(
    "events",
    {
      run: ({ run }) => {
        const c = cells.get(run.flowId);
        if (!c) return;
        c.runs = [run, ...c.runs.filter((r) => r.id !== run.id)]
          .sort((a, b) => b.id - a.id)
          .slice(0, LAST_RUNS);
        fill(c.dots, runDots(c.runs));
      },
    },
    live.set,
  );
}
