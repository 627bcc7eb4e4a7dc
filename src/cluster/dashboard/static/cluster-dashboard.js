/* global document, window, EventSource, fetch, requestAnimationFrame */
// flowgate cluster dashboard: draws the aggregated updates of the `events` stream (relative URL).
"use strict";
(function () {
  const WINDOW_MS = 15000;
  const MAX_RECORDS = 20000;
  const $ = (id) => document.getElementById(id);
  let records = [];
  let names = [];
  let last = null;
  let lastAt = 0;
  let graphRun = -1;
  let graphLayout = null;
  let drawQueued = false;
  const logLines = [];

  function hue(name) {
    let h = 0;
    for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
    return h % 360;
  }
  const color = (name) => `hsl(${hue(name)},62%,52%)`;
  function fmtBytes(b) {
    if (!b) return "0 B";
    const u = ["B", "KiB", "MiB", "GiB", "TiB"];
    const i = Math.min(u.length - 1, Math.floor(Math.log(b) / Math.log(1024)));
    return `${(b / 1024 ** i).toFixed(i ? 1 : 0)} ${u[i]}`;
  }
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };

  function onUpdate(u) {
    last = u;
    lastAt = Date.now();
    names = u.names;
    for (const r of u.stream) records.push(r);
    const cut = u.t - WINDOW_MS;
    let drop = 0;
    while (drop < records.length && records[drop][3] < cut) drop++;
    if (records.length - drop > MAX_RECORDS) drop = records.length - MAX_RECORDS;
    if (drop) records = records.slice(drop);
    for (const l of u.logs) logLines.push(l);
    if (logLines.length > 300) logLines.splice(0, logLines.length - 300);
    renderSummary(u);
    renderWorkers(u);
    renderProgress(u);
    renderGraph(u);
    if (u.logs.length) renderLog();
    if (!drawQueued) {
      drawQueued = true;
      requestAnimationFrame(drawStream);
    }
  }

  function renderSummary(u) {
    const t = u.totals;
    const slots = u.workers.reduce((a, w) => a + w.slots, 0);
    $("summary").textContent =
      `${u.workers.length} workers (${slots} slots) · ${u.tasksPerSecond} tasks/s · ` +
      `${t.processing} processing · ${t.queued} queued · ${t.completed} done · ` +
      `${fmtBytes(t.bytesMoved)} moved between workers`;
    $("summary").dataset.completed = String(t.completed);
  }

  function renderWorkers(u) {
    const body = $("workers").tBodies[0];
    body.replaceChildren(
      ...u.workers.map((w) => {
        const tr = el("tr", { "data-worker": w.name, title: w.address });
        const cells = [
          (w.name.length > 18 ? `${w.name.slice(0, 17)}…` : w.name) +
            (w.closing ? " (closing)" : "") +
            (w.paused ? " (paused)" : ""),
          w.slots,
          w.processing,
          w.executed,
          `${Math.round(w.cpu * 100)}%`,
          fmtBytes(w.rss),
          fmtBytes(w.stored),
          fmtBytes(w.bytesIn),
          w.beatAgo === null ? "–" : `${(w.beatAgo / 1000).toFixed(1)} s ago`,
        ];
        for (const c of cells) tr.appendChild(el("td", {}, String(c)));
        return tr;
      }),
    );
  }

  function renderProgress(u) {
    const box = $("progress");
    if (!u.runs.length) return;
    const runs = u.runs.slice(-4).reverse();
    box.replaceChildren(
      ...runs.map((run) => {
        const div = el("div", { class: "run", "data-run": String(run.id) });
        const state = run.endedAt ? "ended" : "running";
        div.appendChild(el("h3", {}, `${run.flowName} · ${state}`));
        for (const p of run.progress) {
          const ok = p.finished - p.failed;
          const row = el("div", {
            class: "prow",
            "data-task": p.name,
            "data-total": String(p.total),
            "data-finished": String(p.finished),
            "data-failed": String(p.failed),
          });
          row.appendChild(el("span", { class: "name", title: p.name }, p.name));
          const bar = el("div", { class: "bar" });
          const w = (n) => `${p.total ? (100 * n) / p.total : 0}%`;
          bar.appendChild(el("div", { class: "ok", style: `width:${w(ok)}` }));
          bar.appendChild(el("div", { class: "bad", style: `width:${w(p.failed)}` }));
          row.appendChild(bar);
          row.appendChild(
            el(
              "span",
              { class: "nums" },
              `${p.finished}/${p.total} done · ${p.failed} failed · ${Math.max(0, p.total - p.finished)} left`,
            ),
          );
          div.appendChild(row);
        }
        return div;
      }),
    );
  }

  function renderGraph(u) {
    const live = u.runs.filter((r) => !r.endedAt);
    const run = live[live.length - 1];
    if (run && run.id !== graphRun) {
      graphRun = run.id;
      graphLayout = null;
      fetch(`api/graph?run=${run.id}`, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : null))
        .then((g) => {
          graphLayout = g;
          renderGraph(last);
        })
        .catch(() => {});
    }
    const box = $("graph");
    if (!graphLayout) return;
    if (graphLayout.tooLarge) {
      box.replaceChildren(
        el(
          "p",
          { class: "empty" },
          `The graph has ${graphLayout.nodes} tasks; graphs of up to 200 are drawn.`,
        ),
      );
      return;
    }
    const shown = u.runs.find((r) => r.id === graphRun);
    const prog = new Map((shown ? shown.progress : []).map((p) => [p.name, p]));
    const X = 150,
      Y = 34,
      W = 120,
      H = 22;
    const g = graphLayout;
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", `0 0 ${Math.max(1, g.layers) * X} ${Math.max(1, g.rows) * Y}`);
    const pos = (i) => [g.nodes[i].layer * X + 10, g.nodes[i].row * Y + 6];
    for (const [a, b] of g.edges) {
      const [x1, y1] = pos(a),
        [x2, y2] = pos(b);
      const p = document.createElementNS(ns, "path");
      p.setAttribute(
        "d",
        `M${x1 + W},${y1 + H / 2} C${x1 + W + 20},${y1 + H / 2} ${x2 - 20},${y2 + H / 2} ${x2},${y2 + H / 2}`,
      );
      p.setAttribute("fill", "none");
      p.setAttribute("stroke", "#9aa");
      svg.appendChild(p);
    }
    g.nodes.forEach((n, i) => {
      const [x, y] = pos(i);
      const p = prog.get(n.id);
      const frac = n.constant ? 1 : p && p.total ? p.finished / p.total : 0;
      const failed = p && p.failed > 0;
      const r = document.createElementNS(ns, "rect");
      Object.entries({
        x,
        y,
        width: W,
        height: H,
        rx: 4,
        fill: "#eef0f3",
        stroke: failed ? "#e53935" : color(n.id),
        "stroke-width": n.mapped ? 3 : 1.5,
      }).forEach(([k, v]) => r.setAttribute(k, String(v)));
      svg.appendChild(r);
      const f = document.createElementNS(ns, "rect");
      Object.entries({
        x,
        y,
        width: W * frac,
        height: H,
        rx: 4,
        fill: failed ? "#ef9a9a" : color(n.id),
        opacity: 0.45,
      }).forEach(([k, v]) => f.setAttribute(k, String(v)));
      svg.appendChild(f);
      const t = document.createElementNS(ns, "text");
      t.setAttribute("x", String(x + 6));
      t.setAttribute("y", String(y + 15));
      const label = n.id.length > 16 ? `${n.id.slice(0, 15)}…` : n.id;
      t.textContent = n.mapped && p ? `${label} ×${p.total}` : label;
      svg.appendChild(t);
    });
    box.replaceChildren(svg);
  }

  function renderLog() {
    const pre = $("log");
    const stick = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.replaceChildren(
      ...logLines.map(([time, level, worker, task, message]) => {
        const line = el(
          "div",
          { class: `lvl-${level}` },
          `${new Date(time).toISOString().slice(11, 23)} ${level.padEnd(7)} ${worker} `,
        );
        // The task run opens its story (static/task-story.js listens on #log).
        line.appendChild(
          el(
            "button",
            { type: "button", class: "task-link", "data-task": task, title: "Show its story" },
            task,
          ),
        );
        line.appendChild(document.createTextNode(` | ${message}`));
        return line;
      }),
    );
    if (stick) pre.scrollTop = pre.scrollHeight;
  }

  function drawStream() {
    drawQueued = false;
    const u = last;
    if (!u) return;
    const canvas = $("stream");
    const lanes = [];
    for (const w of u.workers) {
      const short = w.name.length > 14 ? `${w.name.slice(0, 13)}…` : w.name;
      for (let s = 0; s < w.slots; s++) lanes.push({ id: w.id, lane: s, label: `${short} #${s}` });
      lanes.push({
        id: w.id,
        lane: Math.max(1, w.slots),
        label: `${short} transfers`,
        transfer: true,
      });
    }
    const index = new Map(lanes.map((l, i) => [`${l.id}:${l.lane}`, i]));
    const rowH = 14,
      left = 110;
    const dpr = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || 800;
    const height = Math.max(40, lanes.length * rowH + 18);
    canvas.style.height = `${height}px`;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    const ctx = canvas.getContext("2d");
    ctx.scale(dpr, dpr);
    ctx.clearRect(0, 0, width, height);
    ctx.font = "10px system-ui, sans-serif";
    const now = u.t + (Date.now() - lastAt);
    const t0 = now - WINDOW_MS;
    const sx = (width - left - 4) / WINDOW_MS;
    lanes.forEach((l, i) => {
      ctx.fillStyle = i % 2 ? "#fafbfc" : "#f1f3f6";
      ctx.fillRect(left, i * rowH, width - left, rowH);
      ctx.fillStyle = "#555";
      ctx.fillText(l.label, 2, i * rowH + 10);
    });
    for (const [wid, lane, start, end, name] of records) {
      const i = index.get(`${wid}:${lane}`);
      if (i === undefined || end < t0) continue;
      const x = left + Math.max(0, start - t0) * sx;
      const w = Math.max(1, (end - Math.max(start, t0)) * sx);
      ctx.fillStyle = name < 0 ? "#e53935" : color(names[name] || "?");
      ctx.fillRect(x, i * rowH + 1, w, rowH - 2);
    }
    ctx.fillStyle = "#777";
    for (let s = 0; s <= WINDOW_MS / 1000; s += 5) {
      const x = left + (WINDOW_MS - s * 1000) * sx;
      ctx.fillText(s ? `-${s}s` : "now", Math.min(x, width - 22), height - 4);
    }
    const legend = $("legend");
    const shown = new Set(records.map((r) => r[4]));
    legend.replaceChildren(
      ...[...shown]
        .sort((a, b) => a - b)
        .map((n) => {
          const s = el("span");
          const i = el("i", { style: `background:${n < 0 ? "#e53935" : color(names[n] || "?")}` });
          s.appendChild(i);
          s.appendChild(document.createTextNode(n < 0 ? "transfer" : names[n]));
          return s;
        }),
    );
  }

  function connect() {
    const es = new EventSource("events", { withCredentials: true });
    es.onmessage = (e) => {
      $("live").textContent = "live";
      $("live").className = "live";
      onUpdate(JSON.parse(e.data));
    };
    es.onerror = () => {
      $("live").textContent = "reconnecting…";
      $("live").className = "live off";
    };
  }
  window.setInterval(() => {
    if (lastAt && Date.now() - lastAt > 3000) {
      $("live").textContent = `no update for ${Math.round((Date.now() - lastAt) / 1000)} s`;
      $("live").className = "live off";
    }
    if (last) requestAnimationFrame(drawStream);
  }, 1000);
  connect();
})();
