function esc(v: string): string {
  return v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The gateway dashboard's HTML shell; static/gateway-dashboard.js fills the table. */
export function gatewayDashboardPage(user: string, admin: boolean, version: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>flowgate gateway</title><link rel="stylesheet" href="dashboard/static/gateway-dashboard.css"></head>
<body>
<header><h1>flowgate gateway</h1><span class="ver">v${esc(version)}</span><span class="grow"></span>
<span id="who">${esc(user)}${admin ? " (admin: all users' clusters)" : ""}</span></header>
<main>
<section><h2>Clusters <small id="counts"></small></h2>
<table id="clusters"><thead><tr><th>cluster</th>${admin ? "<th>user</th>" : ""}<th>status</th><th>age</th><th>workers</th><th>dashboard</th><th>logs</th><th></th></tr></thead>
<tbody><tr><td colspan="8" class="empty">Loading…</td></tr></tbody></table>
<p id="error" class="error" hidden></p></section>
<section class="help"><p>Each flow run started through this gateway gets its own cluster. Open a cluster's dashboard
for its workers, task stream, progress and logs; <code>/metrics</code> serves Prometheus metrics.</p></section>
</main>
<script>window.FLOWGATE_ADMIN = ${admin ? "true" : "false"};</script>
<script src="dashboard/static/gateway-dashboard.js"></script>
</body></html>`;
}
