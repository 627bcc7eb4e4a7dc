// Pieces several pages share: run state dots, labels, the live indicator and run links.
import { h } from "../dom.js";
import { clockText, dateTime, stateFamily } from "../format.js";

/** Labels as small chips (or a dash). */
export function labels(list) {
  return list?.length
    ? list.map((l) => h("span", { class: "label" }, l))
    : h("span", { class: "muted" }, "–");
}

/** The last runs of a flow as coloured dots, newest first; each a link naming run and state. */
export function runDots(runs) {
  if (!runs.length) return h("span", { class: "muted" }, "no runs yet");
  return h(
    "span",
    { class: "dots" },
    runs.map((r) =>
      h(
        "a",
        {
          href: `#/runs/${r.id}`,
          class: `dot state-${stateFamily(r.state)}`,
          "data-run": r.id,
          "data-state": r.state,
          title: `run ${r.id}: ${r.state} (${dateTime(r.createdAt)})`,
        },
        h("span", { class: "sr-only" }, `run ${r.id} ${r.state}`),
      ),
    ),
  );
}

/** A schedule in words: its clocks and whether it is paused. */
export function scheduleText(s) {
  if (!s || !s.clocks.length) return h("span", { class: "muted" }, "none");
  return h(
    "span",
    { "data-active": String(s.active) },
    s.clocks.map(clockText).join("; "),
    s.active ? "" : " — paused",
  );
}

/** The "live / reconnecting" badge of a page that follows server-sent events. */
export function liveBadge() {
  const el = h("span", { class: "live off", role: "status", id: "live" }, "connecting…");
  el.set = (state) => {
    el.className = `live ${state === "live" ? "on" : "off"}`;
    el.textContent =
      { live: "live", closed: "finished", offline: "offline" }[state] ?? "reconnecting…";
    el.dataset.state = state;
  };
  return el;
}

/** GET that answers null for 404 (an absent schedule). */
export async function orNull(promise) {
  try {
    return await promise;
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}
