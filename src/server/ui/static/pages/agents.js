/* global window */
// Agents page: each agent's labels, concurrency, liveness, last heartbeat and runs in flight;
// refreshed every few seconds (heartbeats are not pushed to browsers).
import { getAll } from "../api.js";
import { errorBox, fill, h, link, table } from "../dom.js";
import { dateTime, relative } from "../format.js";
import { labels } from "./common.js";

const REFRESH_MS = 3000;

/** Renders the agents page; returns the cleanup (stops the refresh). */
export async function render(view) {
  const body = h("div", { id: "agents-list" }, h("p", { class: "empty" }, "Loading agents…"));
  view.append(h("h1", {}, "Agents"), body);
  const draw = async () => {
    try {
      const agents = await getAll("agents");
      const now = Date.now();
      if (!agents.length) {
        fill(
          body,
          h(
            "p",
            { class: "empty" },
            "No agent has registered: start one with ",
            h("code", {}, "flowgate agent --server URL"),
            ".",
          ),
        );
        return;
      }
      fill(
        body,
        table(
          "Agents",
          [
            "Agent",
            "User",
            "Labels",
            "Status",
            "Last heartbeat",
            "Runs in flight",
            "Concurrency",
            "Gateway",
          ],
          agents.map((a) => ({
            attrs: { "data-agent": a.id, "data-live": String(a.live) },
            cells: [
              `${a.name} (#${a.id})`,
              a.user,
              h("td", {}, labels(a.labels)),
              h(
                "td",
                {},
                h(
                  "span",
                  { class: `badge state-${a.live ? "ok" : "bad"}` },
                  a.live ? "live" : "silent",
                ),
              ),
              h("td", { title: dateTime(a.lastSeenAt) }, relative(a.lastSeenAt, now)),
              h(
                "td",
                {},
                a.runs.length
                  ? a.runs.map((id, i) => [i ? ", " : "", link(`runs/${id}`, `#${id}`)])
                  : h("span", { class: "muted" }, "none"),
              ),
              h("td", { class: "num" }, `${a.runs.length} / ${a.concurrency}`),
              a.gateway ?? h("span", { class: "muted" }, "local"),
            ],
          })),
          { id: "agents" },
        ),
      );
    } catch (e) {
      fill(body, errorBox(e.message));
    }
  };
  await draw();
  const timer = window.setInterval(() => void draw(), REFRESH_MS);
  return () => window.clearInterval(timer);
}
