/* global document, Node */
// Small DOM helpers of the server UI: element building (text is always set as text, never as
// HTML), state badges, tables and the live announcer for screen readers.
import { stateFamily } from "./format.js";

/**
 * Creates an element: `attrs` sets attributes (`class`, `data-*`, `aria-*`…; `on*` functions
 * become listeners; false/null/undefined are skipped); children are nodes or text.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "value") el.value = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "object" ? c : String(c));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A coloured state badge; the state's name is its text, so colour is never the only cue. */
export function badge(state, extra = {}) {
  return h(
    "span",
    { class: `badge state-${stateFamily(state)}`, "data-state": state, ...extra },
    state,
  );
}

/**
 * A table with a caption (for screen readers and the visual heading alike), column headers and
 * rows (arrays of cells, or {attrs, cells}). Wrapped so it scrolls sideways on a phone.
 */
export function table(caption, headers, rows, attrs = {}) {
  const body = h(
    "tbody",
    {},
    rows.map((r) =>
      Array.isArray(r) ? h("tr", {}, r.map(cellOf)) : h("tr", r.attrs, r.cells.map(cellOf)),
    ),
  );
  const t = h(
    "table",
    attrs,
    caption ? h("caption", { class: "sr-only" }, caption) : null,
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        headers.map((x) => h("th", { scope: "col" }, x)),
      ),
    ),
    body,
  );
  return h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": caption }, t);
}

function cellOf(c) {
  return c instanceof Node && c.nodeName === "TD" ? c : h("td", {}, c);
}

/** A section with a heading; `level` 2 by default. */
export function section(title, attrs = {}, ...children) {
  return h("section", attrs, h("h2", {}, title), ...children);
}

/** Says `text` to screen readers (a polite live region in the page shell). */
export function announce(text) {
  const el = document.getElementById("announce");
  if (el) el.textContent = text;
}

/** An error paragraph (role=alert). */
export function errorBox(message) {
  return h("p", { class: "error", role: "alert" }, message);
}

/** A link to a page of the UI (hash route). */
export function link(route, text, attrs = {}) {
  return h("a", { href: `#/${route}`, ...attrs }, text);
}
