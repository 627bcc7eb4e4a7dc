import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { codeFile } from "../../shipping/index.ts";
import type { SchedulerState } from "../scheduler/scheduler-state.ts";
import type { Message } from "../wire/connection.ts";
import { DashboardCollector } from "./dashboard-collector.ts";
import { DashboardFeed } from "./dashboard-feed.ts";
import { clusterDashboardPage } from "./dashboard-page.ts";
import { layoutGraph } from "./graph-layout.ts";
import { ProgressPush } from "./progress-push.ts";
import { PROMETHEUS_CONTENT_TYPE } from "../../common/index.ts";
import { schedulerMetrics } from "./scheduler-metrics.ts";

const staticFiles: Record<string, string> = {
  "/static/cluster-dashboard.js": "text/javascript; charset=utf-8",
  "/static/cluster-dashboard.css": "text/css; charset=utf-8",
  "/static/task-story.js": "text/javascript; charset=utf-8",
};
const staticCache = new Map<string, Buffer>();

/**
 * A static file's bytes, read once. Found through shipping/code-location.ts, not from this
 * module's URL: from the sources, scheduler processes run this code bundled into a cache.
 */
function staticFile(path: string): Buffer {
  let b = staticCache.get(path);
  if (!b) staticCache.set(path, (b = readFileSync(codeFile(`cluster/dashboard${path}`))));
  return b;
}

/** What the scheduler shell must offer the dashboard (SchedulerServer does). */
export interface ObservableScheduler {
  readonly core: SchedulerState;
  readonly address: string;
  /** Called with every message the scheduler receives, before it acts on it. */
  onObserve: (from: number, m: Message) => void;
  /** Sends one message to a connection. */
  send(to: number, m: Message): void;
}

/**
 * The scheduler's live dashboard (Dask's /status, in one page): GET / or /status (the page),
 * /events (server-sent events, one aggregated update every ~300 ms), /api/dashboard (the same
 * state as JSON), /api/graph?run=N (layout of a small flow's graph), /metrics (Prometheus) and
 * the page's static files. Every URL the page uses is relative, so it works behind the gateway's
 * /clusters/{name}/ prefix.
 */
export class ClusterDashboard {
  readonly collector: DashboardCollector;
  readonly feed: DashboardFeed;
  private readonly push: ProgressPush;
  private reported = false;

  constructor(
    private readonly s: ObservableScheduler,
    periodMs = 300,
  ) {
    this.collector = new DashboardCollector(s.core);
    this.feed = new DashboardFeed(s, this.collector, periodMs);
    this.push = new ProgressPush(s.core, this.collector, (to, m) => s.send(to, m));
    this.feed.onTick = () => this.push.tick();
    const prev = s.onObserve;
    s.onObserve = (from, m) => {
      prev(from, m);
      try {
        this.collector.observe(from, m);
        if (m.t === "gathered") this.push.push(m.run as number);
      } catch (e) {
        this.failed(e);
      }
    };
  }

  /** Serves the request if it is one of the dashboard's paths; returns false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    try {
      return this.route(req, res, url);
    } catch (e) {
      // a dashboard bug must never take the scheduler down
      if (!res.headersSent)
        send(
          res,
          500,
          "application/json",
          JSON.stringify({ error: `dashboard failed: ${(e as Error).message}` }),
        );
      else res.end();
      return true;
    }
  }

  private route(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = url.pathname;
    if (path === "/" || path === "/status") {
      send(res, 200, "text/html; charset=utf-8", clusterDashboardPage(this.s.address));
      return true;
    }
    if (path === "/events") {
      this.feed.attach(res);
      return true;
    }
    if (path === "/api/dashboard") {
      send(res, 200, "application/json", JSON.stringify(this.feed.current()));
      return true;
    }
    if (path === "/api/graph") {
      const run = this.s.core.runs.get(Number(url.searchParams.get("run")));
      const layout = run ? layoutGraph(run.spec) : undefined;
      if (!run)
        send(
          res,
          404,
          "application/json",
          JSON.stringify({ error: `no running flow run ${url.searchParams.get("run")}` }),
        );
      else
        send(
          res,
          200,
          "application/json",
          JSON.stringify(layout ?? { tooLarge: true, nodes: run.spec.nodes.length }),
        );
      return true;
    }
    if (path === "/metrics") {
      send(res, 200, PROMETHEUS_CONTENT_TYPE, schedulerMetrics(this.s.core, this.collector));
      return true;
    }
    const type = staticFiles[path];
    if (type) {
      send(res, 200, type, staticFile(path), "max-age=300");
      return true;
    }
    return false;
  }

  /** Reports a dashboard failure once; the scheduler keeps running without it. */
  private failed(e: unknown): void {
    if (this.reported) return;
    this.reported = true;
    process.stderr.write(`flowgate dashboard: ${(e as Error).stack ?? String(e)}\n`);
  }
  close(): void {
    this.feed.close();
  }
}

function send(
  res: ServerResponse,
  code: number,
  type: string,
  body: string | Buffer,
  cache = "no-store",
): void {
  res.writeHead(code, { "content-type": type, "cache-control": cache });
  res.end(body);
}
