/* global document, window, fetch */
// flowgate gateway dashboard: polls dashboard/api/clusters and renders the clusters table.
"use strict";
(function () {
  const admin = window.FLOWGATE_ADMIN === true;
  const body = document.querySelector("#clusters tbody");
  const stopping = new Set();

  function age(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
    if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
    return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
  }
  const rel = (path) => path.replace(/^\//, "");
  function cell(tr, content, cls) {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    if (typeof content === "string") td.textContent = content;
    else if (content) td.appendChild(content);
    tr.appendChild(td);
    return td;
  }
  function link(href, text) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  async function stop(name, button) {
    stopping.add(name);
    button.disabled = true;
    button.textContent = "stopping…";
    const r = await fetch(`api/v1/clusters/${encodeURIComponent(name)}`, {
      method: "DELETE",
      credentials: "same-origin",
    });
    if (!r.ok && r.status !== 204) {
      const e = await r.json().catch(() => ({ error: r.statusText }));
      showError(`Stopping ${name} failed: ${e.error}`);
      stopping.delete(name);
    }
    refresh();
  }
  function showError(text) {
    const p = document.getElementById("error");
    p.textContent = text;
    p.hidden = !text;
  }

  function render(data) {
    const counts = {};
    for (const c of data.clusters) counts[c.status] = (counts[c.status] || 0) + 1;
    document.getElementById("counts").textContent = Object.entries(counts)
      .map(([k, v]) => `${v} ${k.toLowerCase()}`)
      .join(" · ");
    if (!data.clusters.length) {
      const tr = document.createElement("tr");
      cell(
        tr,
        "No clusters yet. Run a flow with a GatewayEnvironment pointed at this gateway.",
        "empty",
      ).colSpan = 8;
      body.replaceChildren(tr);
      return;
    }
    body.replaceChildren(
      ...data.clusters.map((c) => {
        const tr = document.createElement("tr");
        tr.dataset.cluster = c.name;
        tr.dataset.status = c.status;
        cell(tr, c.name, "name");
        if (admin) cell(tr, c.user);
        const st = document.createElement("span");
        st.className = `st st-${c.status}`;
        st.textContent = c.status;
        if (c.stop_reason) st.title = c.stop_reason;
        cell(tr, st);
        cell(tr, age((c.stop_time || data.now) - c.start_time));
        const w = c.workers;
        cell(
          tr,
          c.status === "RUNNING" || c.status === "PENDING"
            ? `${w.running} running · ${w.pending} starting · ${w.target} wanted`
            : "–",
        );
        cell(tr, c.dashboard_route ? link(rel(c.dashboard_route), "dashboard") : "–");
        cell(tr, link(rel(c.logs_route), "logs"));
        const active = c.status === "RUNNING" || c.status === "PENDING";
        if (active) {
          const b = document.createElement("button");
          b.className = "stop";
          b.textContent = stopping.has(c.name) ? "stopping…" : "stop";
          b.disabled = stopping.has(c.name);
          b.addEventListener("click", () => void stop(c.name, b));
          cell(tr, b);
        } else cell(tr, c.stop_reason || "");
        return tr;
      }),
    );
  }

  let timer;
  async function refresh() {
    window.clearTimeout(timer);
    try {
      const r = await fetch("dashboard/api/clusters", {
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!r.ok) throw new Error(`${r.status} ${r.statusText}`);
      render(await r.json());
      showError("");
    } catch (e) {
      showError(`Cannot load the clusters: ${e.message}`);
    }
    timer = window.setTimeout(refresh, 1000);
  }
  refresh();
})();
