/* global document, window */
// One run: state and reason, actions (cancel, re-run), facts, parameters, state history, its
// cluster with a link to the dashboard through the gateway, cost, tasks and the live log.
import { get, post, subscribe } from "../api.js";
import { announce, badge, errorBox, fill, h, link, section } from "../dom.js";
import { dateTime, duration, isFinished, runDuration, seconds } from "../format.js";
import { labels, liveBadge } from "./common.js";
import { logView } from "./run-logs.js";
import { tasksView } from "./run-tasks.js";

/** The cluster's dashboard through its gateway: the stored link, else gateway + route. */
export function dashboardUrl(cluster) {
  if (cluster.dashboardLink) return cluster.dashboardLink;
  if (cluster.gateway)
    return `${cluster.gateway.replace(/\/+$/, "")}/clusters/${cluster.name}/status`;
  return null;
}

/** Renders run [id]; returns the cleanup (closes the stream). */
export async function render(view, [id]) {
  let run = await get(`runs/${id}`);
  const [states, version] = await Promise.all([
    get(`runs/${id}/states`).then((r) => r.items),
    get(`flows/${run.flowId}/versions/${run.version}`).catch(() => null),
  ]);
  let history = states;
  const live = liveBadge();
  const title = h("h1", { id: "run-title" });
  const reason = h("div", { id: "run-reason" });
  const actions = h("div", { class: "actions", id: "run-actions" });
  const facts = h("dl", { class: "facts", id: "run-facts" });
  const historyEl = h("ol", { class: "history", id: "run-history" });
  const clusterEl = h("div", { id: "run-cluster" });
  const costEl = h("div", { id: "run-cost" });
  let toSummary;
  const tasks = tasksView(Number(id), version?.graph.tasks ?? [], () => toSummary());
  const logs = logView();
  const status = h("div", { "aria-live": "polite" });

  const drawHead = () => {
    fill(title, `Run #${run.id} · ${run.flowName}`, badge(run.state, { id: "run-state" }), live);
    view.dataset.state = run.state;
    fill(
      reason,
      run.stateReason ? h("p", {}, h("strong", {}, "Reason: "), run.stateReason) : null,
      run.warning
        ? h("p", { class: "warning", role: "status", id: "run-warning" }, run.warning)
        : null,
    );
    const cancel = h(
      "button",
      {
        type: "button",
        class: "danger",
        id: "cancel",
        disabled: isFinished(run.state) || run.state === "Cancelling",
      },
      "Cancel run",
    );
    cancel.addEventListener("click", async () => {
      cancel.disabled = true;
      try {
        run = await post(`runs/${run.id}/cancel`);
        announce(`Run ${run.id} is ${run.state}`);
        drawHead();
      } catch (e) {
        fill(status, errorBox(e.message));
      }
    });
    const rerun = h("button", { type: "button", id: "rerun" }, "Re-run with the same parameters");
    rerun.addEventListener("click", async () => {
      rerun.disabled = true;
      try {
        const next = await post("runs", {
          flow: run.flowId,
          version: run.version,
          parameters: run.parameters,
          labels: run.labels,
        });
        announce(`Run ${next.id} created`);
        window.location.hash = `#/runs/${next.id}`;
      } catch (e) {
        fill(status, errorBox(e.message));
        rerun.disabled = false;
      }
    });
    const focused = document.activeElement?.id;
    fill(actions, cancel, rerun, status);
    if (focused === "cancel" || focused === "rerun") document.getElementById(focused)?.focus();
    drawFacts();
    drawCluster();
    drawCost();
  };
  const drawFacts = () => {
    const now = Date.now();
    const d = runDuration(run, now);
    fill(
      facts,
      ...fact(
        "Flow",
        link(
          `flows/${run.flowId}`,
          `${run.project ? `${run.project}/` : ""}${run.flowName} v${run.version}`,
        ),
      ),
      ...fact("User", run.user),
      ...fact("Labels", labels(run.labels)),
      ...fact("Scheduled for", dateTime(run.scheduledAt)),
      ...fact("Started", dateTime(run.startedAt)),
      ...fact("Ended", dateTime(run.endedAt)),
      ...fact("Duration", d === null ? "–" : duration(d)),
      ...fact("Agent", run.agentId ? link("agents", `#${run.agentId}`) : "–"),
      ...(Object.hasOwn(run, "result") && run.result !== undefined
        ? fact("Result", h("code", { id: "run-result" }, JSON.stringify(run.result)))
        : []),
    );
  };
  const drawHistory = () =>
    fill(
      historyEl,
      history.map((s) =>
        h(
          "li",
          { "data-state": s.state },
          badge(s.state),
          h("span", { class: "muted" }, dateTime(s.at)),
          s.reason ? h("span", {}, s.reason) : null,
        ),
      ),
    );
  const drawCluster = () => {
    const c = run.cluster;
    if (!c) {
      fill(clusterEl, h("p", { class: "empty" }, "No cluster yet."));
      return;
    }
    const url = dashboardUrl(c);
    clusterEl.dataset.status = c.status ?? "";
    fill(
      clusterEl,
      h(
        "dl",
        { class: "facts" },
        ...fact("Name", h("code", { id: "cluster-name" }, c.name)),
        ...fact(
          "Status",
          c.status
            ? h(
                "span",
                {
                  class: `badge state-${c.status === "RUNNING" ? "run" : c.status === "FAILED" ? "bad" : c.status === "STOPPED" ? "off" : "idle"}`,
                  id: "cluster-status",
                },
                c.status,
              )
            : "–",
        ),
        ...fact(
          "Dashboard",
          url
            ? h(
                "a",
                { href: url, id: "cluster-dashboard", target: "_blank", rel: "noopener" },
                "open the cluster dashboard",
              )
            : "–",
        ),
        ...fact("Gateway", c.gateway ?? "local cluster"),
        ...fact("Scheduler", c.schedulerAddress ? h("code", {}, c.schedulerAddress) : "–"),
        ...(c.stopReason ? fact("Stop reason", c.stopReason) : []),
      ),
    );
  };
  const drawCost = () => {
    const c = run.cost;
    fill(
      costEl,
      c
        ? h(
            "dl",
            { class: "facts" },
            ...fact("Worker time", seconds(c.workerSeconds)),
            ...fact("Task time", seconds(c.taskSeconds)),
            ...fact(
              "Use",
              c.workerSeconds > 0
                ? `${Math.round((100 * c.taskSeconds) / c.workerSeconds)} % of worker time ran tasks`
                : "–",
            ),
          )
        : h("p", { class: "empty" }, "Not measured yet."),
    );
  };

  drawHead();
  drawHistory();
  view.append(
    title,
    reason,
    actions,
    h(
      "div",
      { class: "grid" },
      section("Run", {}, facts),
      section(
        "Parameters",
        {},
        h("pre", { id: "run-parameters" }, JSON.stringify(run.parameters, null, 2)),
      ),
      section("State history", {}, historyEl),
      section("Cluster", {}, clusterEl),
      section("Cost", {}, costEl),
    ),
    section("Tasks", {}, tasks.el),
    section("Log", {}, logs.el),
  );
  const onRun = async (next) => {
    const changed = next.state !== run.state;
    run = next;
    drawHead();
    if (changed) {
      announce(`Run ${run.id} is ${run.state}`);
      history = (await get(`runs/${id}/states`)).items;
      drawHistory();
    }
  };
  // The stream opens first and skips the replay of task runs (`tasks=live`): the tasks panel
  // reads a small run's rows once itself and applies the changes the stream sends from then on,
  // including any that arrive while it reads. A large run (or one that grows large) switches to
  // `tasks=summary`: exact counts and a sampled timeline from the server, no task rows.
  let opened;
  const open = new Promise((resolve) => (opened = resolve));
  let lastState = "connecting";
  // A stream (re)opened replays the log from its start: lines already shown are skipped.
  let logSeq = 0;
  const handlers = {
    run: ({ run: next }) => onRun(next),
    tasks: ({ tasks: list }) => tasks.onTasks(list),
    summary: ({ summary }) => tasks.onSummary(summary),
    timeline: ({ timeline }) => tasks.onTimeline(timeline),
    logs: ({ lines }) => {
      const fresh = lines.filter((l) => l.seq > logSeq);
      if (fresh.length) logSeq = fresh[fresh.length - 1].seq;
      logs.append(fresh);
    },
    cluster: ({ cluster }) => {
      run = { ...run, cluster };
      drawCluster();
    },
    cost: ({ cost }) => {
      run = { ...run, cost };
      drawCost();
    },
    end: () => void tasks.finished(),
  };
  const stream = (mode) =>
    subscribe(`runs/${id}/events?tasks=${mode}`, handlers, (state) => {
      live.set(state);
      opened();
      // A reconnected stream starts from "now": what changed while it was down is read again.
      if (state === "live" && lastState === "reconnecting") void tasks.resync();
      lastState = state;
    });
  let close = stream("live");
  let summarized = false;
  toSummary = () => {
    if (summarized) return;
    summarized = true;
    close();
    close = stream("summary");
  };
  await Promise.race([open, new Promise((r) => window.setTimeout(r, 2000))]);
  await tasks.load().catch((e) => fill(tasks.el, errorBox(e.message)));
  const clock = window.setInterval(() => {
    if (!isFinished(run.state)) drawFacts();
  }, 5000);
  return () => {
    close();
    tasks.close();
    window.clearInterval(clock);
  };
}

function fact(name, value) {
  return [h("dt", {}, name), h("dd", {}, value)];
}
