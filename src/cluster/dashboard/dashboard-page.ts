/** Escapes text for HTML. */
function esc(v: string): string {
  return v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The cluster dashboard's HTML shell. Everything live is drawn by static/cluster-dashboard.js
 * from the /events stream; all URLs are relative (the gateway serves the page under a prefix).
 */
export function clusterDashboardPage(address: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>flowgate cluster</title><link rel="stylesheet" href="static/cluster-dashboard.css"></head>
<body>
<header><h1>flowgate cluster</h1><span class="addr">${esc(address)}</span>
<span id="summary"></span><span id="live" class="live off">connecting…</span></header>
<main>
<section class="wide"><h2>Task stream <small>(last <span id="window">15</span> s; red = transfers between workers)</small></h2>
<canvas id="stream" height="120"></canvas><div id="legend"></div></section>
<section><h2>Progress</h2><div id="progress"><p class="empty">No flow run yet.</p></div></section>
<section><h2>Workers</h2><table id="workers"><thead><tr><th>worker</th><th>slots</th><th>running</th><th>done</th><th>CPU</th><th>memory</th><th>results</th><th>fetched</th><th>heartbeat</th></tr></thead><tbody></tbody></table></section>
<section><h2>Task graph</h2><div id="graph"><p class="empty">No flow run yet.</p></div></section>
<section><h2>Log <small>(click a task run for its story)</small></h2><pre id="log"></pre></section>
<section id="story-box"><h2>Task story</h2>
<form id="story-form"><label for="story-key">Task run</label>
<input id="story-key" name="task" placeholder="nap[3], or 2/nap[3] for flow run 2" autocomplete="off">
<button type="submit">Show story</button></form>
<div id="story" aria-live="polite"><p class="empty">Pick a task run in the log, or type its name.</p></div></section>
</main>
<script src="static/cluster-dashboard.js"></script>
<script src="static/task-story.js"></script>
</body></html>`;
}
