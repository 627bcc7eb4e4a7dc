// One flow: its versions, its latest version's task graph, a form to create a run from its
// parameters, its schedule (pause/resume) and its recent runs.
import { get, getAll } from "../api.js";
import { badge, errorBox, h, link, section, table } from "../dom.js";
import { dateTime, duration, relative } from "../format.js";
import { labels } from "./common.js";
import { runForm } from "./run-form.js";
import { schedulePanel } from "./schedule-panel.js";
import { taskGraph } from "./task-graph.js";

/** Renders the flow page for params [id]; returns nothing to clean up. */
export async function render(view, [id], query) {
  const flow = await get(`flows/${id}`);
  const [versions, runs] = await Promise.all([
    getAll(`flows/${id}/versions`, {}, 1),
    get("runs", { flow: String(id), limit: 20 }).then((p) => p.items),
  ]);
  const latest = versions.find((v) => v.version === flow.latestVersion) ?? versions[0];
  const now = Date.now();
  view.append(
    h("h1", {}, `${flow.project ? `${flow.project}/` : ""}${flow.name}`),
    h(
      "p",
      {},
      `owner ${flow.user} · latest v${flow.latestVersion} · registered ${dateTime(flow.createdAt)} · labels `,
      labels(flow.labels),
    ),
  );
  const formSection = section(
    "New run",
    { id: "new-run" },
    latest ? runForm(flow, latest) : errorBox("No version stored."),
  );
  view.append(
    h(
      "div",
      { class: "grid" },
      formSection,
      section("Schedule", { id: "schedule" }, await schedulePanel(flow)),
    ),
  );
  if (latest)
    view.append(
      section(`Task graph (v${latest.version})`, {}, taskGraph(latest.graph.tasks, new Map())),
    );
  view.append(
    section(
      "Versions",
      {},
      table(
        "Versions",
        ["Version", "Hash", "Storage", "Environment", "Labels", "Registered"],
        versions.map((v) => [
          `v${v.version}`,
          h("code", { title: v.hash }, v.hash.slice(0, 12)),
          v.storage.type === "image"
            ? `image ${v.storage.image}:${v.storage.path}`
            : `bundle (${v.storage.flowName})`,
          v.environment?.type ?? "agent default",
          h("td", {}, labels(v.labels)),
          dateTime(v.createdAt),
        ]),
      ),
    ),
    section(
      "Recent runs",
      {},
      runs.length
        ? table(
            "Recent runs",
            ["Run", "State", "Created", "Duration"],
            runs.map((r) => [
              link(`runs/${r.id}`, `#${r.id}`),
              h("td", {}, badge(r.state)),
              relative(r.createdAt, now),
              r.startedAt ? duration((r.endedAt ?? now) - r.startedAt) : "–",
            ]),
          )
        : h("p", { class: "empty" }, "No runs yet."),
      h("p", {}, link(`runs?flow=${id}`, "All runs of this flow")),
    ),
  );
  if (query.get("create")) formSection.querySelector("input,select,button")?.focus();
  return undefined;
}
