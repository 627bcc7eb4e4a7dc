// The run page's live log: lines arrive from the run's event stream; a minimum level and a
// search narrow them; only the newest lines that match are kept in the page.
import { fill, h } from "../dom.js";
import { count } from "../format.js";
import { highlight, LEVELS, logMatches, logText } from "../log-filter.js";

/** Lines kept in memory (older ones are dropped; `flowgate runs logs ID` shows them all). */
const KEEP = 20_000;
/** Lines drawn at most. */
const SHOW = 2_000;

/** The log panel; `append(lines)` adds LogLines as they arrive. */
export function logView() {
  let lines = [];
  let dropped = 0;
  const level = h(
    "select",
    { id: "log-level" },
    LEVELS.map((l) =>
      h("option", { value: l, selected: l === "DEBUG" }, l === "DEBUG" ? "all" : `${l} and above`),
    ),
  );
  const search = h("input", {
    id: "log-search",
    type: "search",
    placeholder: "text in the line",
    autocomplete: "off",
  });
  const follow = h("input", { id: "log-follow", type: "checkbox", checked: true });
  const info = h("span", { class: "muted", id: "log-count", "aria-live": "polite" });
  const pre = h("pre", { id: "log", tabindex: 0, "aria-label": "Run log" });
  const el = h(
    "div",
    {},
    h(
      "div",
      { class: "logbar" },
      h("label", { for: "log-level" }, "Level", level),
      h("label", { for: "log-search" }, "Search", search),
      h("label", { for: "log-follow", class: "inline" }, h("span", {}, "Follow"), follow),
      info,
    ),
    pre,
  );
  let shown = 0;
  const lineNode = (l, q) =>
    h(
      "div",
      { class: `lvl-${l.level}`, "data-seq": l.seq },
      highlight(logText(l), q).map((p) => (p.hit ? h("mark", {}, p.text) : p.text)),
    );
  const status = () => {
    info.textContent = `${count(shown)} shown of ${count(lines.length + dropped)} lines${dropped ? ` (${count(dropped)} oldest dropped)` : ""}`;
  };
  const redraw = () => {
    const q = search.value.trim();
    const hits = lines.filter((l) => logMatches(l, level.value, q));
    const tail = hits.slice(-SHOW);
    shown = tail.length;
    fill(
      pre,
      tail.map((l) => lineNode(l, q)),
    );
    if (!lines.length) fill(pre, h("span", { class: "muted" }, "No log lines yet."));
    status();
    if (follow.checked) pre.scrollTop = pre.scrollHeight;
  };
  let timer = null;
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(redraw, 120);
  };
  level.addEventListener("change", redraw);
  search.addEventListener("input", soon);
  redraw();
  return {
    el,
    append(batch) {
      if (!batch.length) return;
      const first = lines.length === 0;
      lines.push(...batch);
      if (lines.length > KEEP) {
        dropped += lines.length - KEEP;
        lines = lines.slice(-KEEP);
      }
      if (first) return redraw();
      const q = search.value.trim();
      const hits = batch.filter((l) => logMatches(l, level.value, q));
      pre.append(...hits.map((l) => lineNode(l, q)));
      shown += hits.length;
      while (shown > SHOW) {
        pre.firstChild?.remove();
        shown--;
      }
      status();
      if (follow.checked) pre.scrollTop = pre.scrollHeight;
    },
    text: () => lines.map(logText).join("\n"),
  };
}
