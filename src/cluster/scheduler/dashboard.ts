import http from "node:http";
import type { SchedulerServer } from "./scheduler-server.ts";
import { stateCounts } from "./placement.ts";
import { ClusterDashboard } from "../dashboard/cluster-dashboard.ts";
import { dashboardAccessAllowed } from "../dashboard/dashboard-access.ts";

export interface DashboardOptions {
  readonly host: string;
  readonly port: number;
  /** Gateway mode: POST /api/comm needs `Authorization: token <this>`. */
  readonly apiToken?: string;
  /** Receives gateway commands (scale, adapt). */
  readonly onComm?: (body: Record<string, unknown>) => void;
}

/** The status model the dashboard serves as JSON. */
export function statusOf(s: SchedulerServer, rate: number) {
  const core = s.core;
  return {
    address: s.address,
    workers: [...core.workers.values()].map((w) => w.summary()),
    runs: core.runs.size,
    tasks: {
      ...stateCounts(core.runs.values()),
      queued: core.queue.size,
      processing: core.processing,
      completed: core.completed,
    },
    tasksPerSecond: Math.round(rate),
  };
}

/**
 * The scheduler's dashboard (first version): GET /api/status (JSON), GET / (plain HTML),
 * GET /api/health, GET /api/story/{task} (a task run's logged transitions: `inc[3]`, or
 * `2/inc[3]` for flow run 2), and in gateway mode POST /api/comm.
 */
export async function startDashboard(
  s: SchedulerServer,
  o: DashboardOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  let last = { t: Date.now(), n: 0 };
  let rate = 0;
  const sampler = setInterval(() => {
    const now = Date.now();
    rate = ((s.core.completed - last.n) * 1000) / Math.max(1, now - last.t);
    last = { t: now, n: s.core.completed };
  }, 1000);
  sampler.unref();
  const live = new ClusterDashboard(s);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (!dashboardAccessAllowed(req, url.pathname, o.apiToken)) {
      res.setHeader("www-authenticate", "token");
      return json(401, {
        error: "this cluster's token is required; open the dashboard through the gateway",
      });
    }
    if (req.method === "GET" && url.pathname === "/api/health")
      return json(200, { status: "pass" });
    if (req.method === "GET" && (url.pathname === "/api/status" || url.pathname === "/status.json"))
      return json(200, statusOf(s, rate));
    if (req.method === "GET" && url.pathname.startsWith("/api/story/")) {
      const task = decodeURIComponent(url.pathname.slice("/api/story/".length));
      return json(200, { task, story: s.story(task) });
    }
    if (req.method === "POST" && url.pathname === "/api/comm") {
      if (!o.apiToken || req.headers.authorization !== `token ${o.apiToken}`)
        return json(403, { error: "bad or missing token" });
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        try {
          o.onComm?.(JSON.parse(body) as Record<string, unknown>);
          json(200, { ok: true });
        } catch (e) {
          json(422, { error: `bad comm body: ${e instanceof Error ? e.message : String(e)}` });
        }
      });
      return;
    }
    if (live.handle(req, res, url)) return;
    if (req.method === "GET" && (url.pathname === "/" || url.pathname === "/status")) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return res.end(page(statusOf(s, rate)));
    }
    json(404, { error: `no dashboard page at ${url.pathname}` });
  });
  await new Promise<void>((r) => server.listen(o.port, o.host, r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${o.host}:${port}`,
    close: () => {
      clearInterval(sampler);
      live.close();
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

function esc(v: unknown): string {
  return String(v).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(st: ReturnType<typeof statusOf>): string {
  const rows = st.workers
    .map(
      (w) =>
        `<tr><td>${esc(w.name)}${w.closing ? " (closing)" : ""}${w.paused ? " (paused)" : ""}</td><td>${esc(w.address)}</td><td>${w.slots}</td><td>${w.processing}</td><td>${w.executed}</td></tr>`,
    )
    .join("");
  const tasks = Object.entries(st.tasks)
    .map(([k, v]) => `<li>${esc(k)}: ${v}</li>`)
    .join("");
  return `<!doctype html><html><head><meta http-equiv="refresh" content="2"><title>flowgate scheduler</title></head><body>
<h1>flowgate scheduler ${esc(st.address)}</h1><p>${st.tasksPerSecond} tasks/s, ${st.runs} flow runs</p>
<h2>Workers</h2><table border="1"><tr><th>name</th><th>address</th><th>slots</th><th>processing</th><th>executed</th></tr>${rows}</table>
<h2>Tasks</h2><ul>${tasks}</ul></body></html>`;
}
