/* global window */
// Runs page: filter by flow, state, label and time window (kept in the URL), newest first, and
// follow every change live through GET /api/events.
import { get, getAll, subscribe } from "../api.js";
import { badge, errorBox, fill, h, link, table } from "../dom.js";
import { brief, dateTime, duration, relative, RUN_STATES } from "../format.js";
import {
  filtersToApi,
  filtersToQuery,
  parseFilters,
  runMatches,
  TIME_WINDOWS,
  upsertRun,
} from "../filters.js";
import { labels, liveBadge } from "./common.js";

const WINDOW_NAMES = {
  "": "any time",
  "1h": "last hour",
  "24h": "last 24 h",
  "7d": "last 7 days",
  "30d": "last 30 days",
};

/** Renders the runs page; returns the cleanup (closes the event stream, stops the clock). */
export async function render(view, _params, query) {
  const f = parseFilters(query);
  const live = liveBadge();
  const flows = await getAll("flows").catch(() => []);
  const form = filterForm(f, flows);
  const list = h("div", { id: "runs-list" }, h("p", { class: "empty" }, "Loading runs…"));
  view.append(h("h1", {}, "Runs ", live), form, list);
  let runs = [];
  const draw = () => {
    const now = Date.now();
    if (!runs.length) {
      fill(list, h("p", { class: "empty" }, "No runs match these filters."));
      return;
    }
    fill(
      list,
      table(
        "Runs",
        ["Run", "Flow", "State", "Labels", "Parameters", "Created", "Start", "Duration"],
        runs.map((r) => ({
          attrs: { "data-run": r.id, "data-state": r.state },
          cells: [
            link(`runs/${r.id}`, `#${r.id}`),
            link(`flows/${r.flowId}`, `${r.flowName} v${r.version}`),
            h(
              "td",
              {},
              badge(r.state),
              r.warning
                ? h(
                    "span",
                    { class: "warning-mark", title: r.warning },
                    " ⚠",
                    h("span", { class: "sr-only" }, r.warning),
                  )
                : null,
            ),
            h("td", {}, labels(r.labels)),
            h("td", { class: "mono" }, brief(r.parameters, 40)),
            h("td", { title: dateTime(r.createdAt) }, relative(r.createdAt, now)),
            h(
              "td",
              { title: dateTime(r.scheduledAt) },
              r.startedAt ? dateTime(r.startedAt) : relative(r.scheduledAt, now),
            ),
            r.startedAt ? duration((r.endedAt ?? now) - r.startedAt) : "–",
          ],
        })),
        { id: "runs" },
      ),
    );
  };
  try {
    runs = (await get("runs", filtersToApi(f, Date.now()))).items;
    draw();
  } catch (e) {
    fill(list, errorBox(e.message));
  }
  const close = subscribe(
    `events${/^\d+$/.test(f.flow) ? `?flow=${f.flow}` : ""}`,
    {
      run: ({ run }) => {
        runs = upsertRun(runs, run, runMatches(run, f, Date.now()));
        draw();
      },
    },
    live.set,
  );
  const clock = window.setInterval(draw, 5000);
  return () => {
    close();
    window.clearInterval(clock);
  };
}

function filterForm(f, flows) {
  const flow = h(
    "select",
    { id: "filter-flow", name: "flow" },
    h("option", { value: "" }, "all flows"),
    flows.map((x) =>
      h(
        "option",
        { value: String(x.id), selected: String(x.id) === f.flow },
        `${x.project ? `${x.project}/` : ""}${x.name}`,
      ),
    ),
  );
  const states = h(
    "fieldset",
    { class: "states" },
    h("legend", {}, "States"),
    RUN_STATES.map((s) =>
      h(
        "label",
        {},
        h("input", { type: "checkbox", name: "state", value: s, checked: f.states.includes(s) }),
        ` ${s}`,
      ),
    ),
  );
  const label = h("input", {
    id: "filter-label",
    name: "label",
    value: f.label,
    size: 12,
    autocomplete: "off",
  });
  const win = h(
    "select",
    { id: "filter-window", name: "window" },
    Object.keys(TIME_WINDOWS).map((k) =>
      h("option", { value: k, selected: k === f.window }, WINDOW_NAMES[k]),
    ),
  );
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter runs" },
    h("label", { for: "filter-flow" }, "Flow", flow),
    states,
    h("label", { for: "filter-label" }, "Label", label),
    h("label", { for: "filter-window" }, "Created", win),
    h("button", { type: "submit" }, "Filter"),
    h("button", { type: "reset", onclick: () => (window.location.hash = "#/runs") }, "Clear"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const next = {
      flow: flow.value,
      states: [...form.querySelectorAll("input[name=state]:checked")].map((i) => i.value),
      label: label.value.trim(),
      window: win.value,
    };
    const q = filtersToQuery(next);
    window.location.hash = `#/runs${q ? `?${q}` : ""}`;
  });
  return form;
}
