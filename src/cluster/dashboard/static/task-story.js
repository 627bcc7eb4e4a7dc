/* global document, fetch, Element */
// flowgate cluster dashboard: a task run's story — the scheduler's logged transitions of it
// (from, to, stimulus, time), read from api/story/{task} (relative URL, works behind the
// gateway's prefix). Opened from a task run in the log, or by typing its name.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  let asked = 0;

  async function show(task) {
    const box = $("story");
    const mine = ++asked;
    box.dataset.task = task;
    box.dataset.state = "loading";
    box.replaceChildren(el("p", { class: "empty" }, `Reading the story of ${task}…`));
    let body;
    try {
      const r = await fetch(`api/story/${encodeURIComponent(task)}`, {
        credentials: "same-origin",
      });
      body = await r.json();
      if (!r.ok) throw new Error(body && body.error ? body.error : `HTTP ${r.status}`);
    } catch (e) {
      if (mine !== asked) return;
      box.dataset.state = "error";
      box.replaceChildren(
        el("p", { class: "lvl-ERROR", role: "alert" }, `Could not read the story: ${e.message}`),
      );
      return;
    }
    if (mine !== asked) return;
    const story = body.story || [];
    box.dataset.state = "shown";
    box.dataset.transitions = String(story.length);
    if (!story.length) {
      box.replaceChildren(
        el(
          "p",
          { class: "empty" },
          `The scheduler has no transition of ${task} in its log (a name like nap[3], or 2/nap[3] for flow run 2; the log keeps the most recent transitions only).`,
        ),
      );
      return;
    }
    const table = el("table", { id: "story-table" });
    table.appendChild(el("caption", {}, `${story.length} transitions of ${task}`));
    const head = el("tr");
    for (const c of ["time", "run", "from", "to", "stimulus"])
      head.appendChild(el("th", { scope: "col" }, c));
    table.appendChild(el("thead")).appendChild(head);
    const tbody = table.appendChild(el("tbody"));
    for (const s of story) {
      const tr = el("tr", { "data-from": s.from, "data-to": s.to });
      for (const c of [
        new Date(s.time).toISOString().slice(11, 23),
        String(s.run),
        s.from,
        s.to,
        s.stimulusId,
      ])
        tr.appendChild(el("td", {}, c));
      tbody.appendChild(tr);
    }
    box.replaceChildren(table);
  }

  $("log").addEventListener("click", (e) => {
    const b = e.target instanceof Element ? e.target.closest("button.task-link") : null;
    if (!b) return;
    $("story-key").value = b.dataset.task;
    void show(b.dataset.task);
  });
  $("story-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const task = $("story-key").value.trim();
    if (task) void show(task);
  });
})();
