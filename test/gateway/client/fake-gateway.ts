import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";

/** One request as the fake gateway saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  cookie: string | undefined;
  body: unknown;
  at: number;
}

export interface FakeCluster {
  name: string;
  user: string;
  status: "PENDING" | "RUNNING" | "STOPPING" | "STOPPED" | "FAILED";
  options: Record<string, unknown>;
  stop_reason: string | null;
  lease_ttl: number | null;
  count: number;
  start_time: number;
  log: string;
}

export interface FakeGatewayOptions {
  /** Milliseconds from create to RUNNING; or "fail" to end FAILED with failReason. */
  startAfterMs?: number;
  fail?: string;
  /** Password every user must give (simple auth); undefined accepts any. */
  password?: string;
  /** Bearer tokens accepted, mapped to user names. */
  tokens?: Record<string, string>;
  /** Long-poll hold in ms. */
  waitMs?: number;
  /** Paths that never get an answer (for timeouts). */
  hang?: string[];
  /** Called first; a non-undefined result answers the request instead of the fake's logic. */
  intercept?: (
    req: SeenRequest,
  ) =>
    { status: number; json?: unknown; text?: string; headers?: Record<string, string> } | undefined;
}

const extended = (r: SeenRequest) => r.query.get("extended") === "true";

/**
 * A small in-test gateway speaking the client-facing part of the wire API (Dask Gateway v1 plus
 * flowgate's lease and logs), with simple auth and a session cookie.
 */
export class FakeGateway {
  readonly requests: SeenRequest[] = [];
  readonly clusters = new Map<string, FakeCluster>();
  readonly cookieValue = `s${Math.random().toString(16).slice(2)}`;
  readonly sessions = new Map<string, string>();
  private server!: Server;
  private next = 1;
  private waiters = new Set<() => void>();
  address = "";

  constructor(readonly options: FakeGatewayOptions = {}) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, json, text, headers }) => {
        res.writeHead(status, {
          ...(json !== undefined && { "content-type": "application/json" }),
          ...headers,
        });
        res.end(json !== undefined ? JSON.stringify(json) : (text ?? ""));
      });
    });
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    this.address = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const w of this.waiters) w();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  setStatus(name: string, status: FakeCluster["status"], reason: string | null = null): void {
    const c = this.clusters.get(name)!;
    c.status = status;
    c.stop_reason = reason;
    for (const w of this.waiters) w();
  }

  /** Dask Gateway's keys; flowgate's extensions only when asked with `?extended=true`. */
  model(c: FakeCluster, extended: boolean) {
    const running = c.status === "RUNNING";
    const dask = {
      name: c.name,
      status: c.status,
      options: c.options,
      start_time: c.start_time,
      stop_time: running || c.status === "PENDING" ? null : Date.now(),
      dashboard_route: running ? `/clusters/${c.name}/status` : null,
      tls_cert: running ? "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n" : null,
      tls_key: running ? "-----BEGIN PRIVATE KEY-----\nfake\n-----END PRIVATE KEY-----\n" : null,
    };
    if (!extended) return dask;
    return {
      ...dask,
      user: c.user,
      stop_reason: c.stop_reason,
      tunnel_path: `/clusters/${c.name}/scheduler`,
      lease_ttl: c.lease_ttl,
      workers: { target: c.count, running: running ? c.count : 0, pending: 0 },
      adapt: null,
    };
  }

  private async handle(req: IncomingMessage) {
    const url = new URL(req.url ?? "/", "http://x");
    let raw = "";
    for await (const chunk of req) raw += String(chunk);
    const seen: SeenRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization,
      cookie: req.headers.cookie,
      body: raw ? (JSON.parse(raw) as unknown) : undefined,
      at: Date.now(),
    };
    this.requests.push(seen);
    if (this.options.hang?.includes(seen.path)) await new Promise(() => {});
    const intercepted = this.options.intercept?.(seen);
    if (intercepted) return intercepted;
    const user = this.authenticate(seen);
    if (user === undefined)
      return {
        status: 401,
        json: { error: "Authentication required" },
        headers: { "www-authenticate": "Basic" },
      };
    const cookie = `fg=${this.cookieValue}-${user}`;
    this.sessions.set(`${this.cookieValue}-${user}`, user);
    const answer = await this.route(seen, user);
    return { ...answer, headers: { "set-cookie": `${cookie}; Path=/; Max-Age=600; HttpOnly` } };
  }

  private authenticate(r: SeenRequest): string | undefined {
    const session = /fg=([\w-]+)/.exec(r.cookie ?? "")?.[1];
    if (!r.authorization && session) return this.sessions.get(session);
    const basic = /^Basic (.+)$/.exec(r.authorization ?? "");
    if (basic) {
      const [user, password] = Buffer.from(basic[1]!, "base64").toString().split(":");
      if (!user || (this.options.password !== undefined && password !== this.options.password))
        return undefined;
      return user;
    }
    const bearer = /^Bearer (.+)$/.exec(r.authorization ?? "");
    return bearer ? this.options.tokens?.[bearer[1]!] : undefined;
  }

  private async route(
    r: SeenRequest,
    user: string,
  ): Promise<{ status: number; json?: unknown; text?: string }> {
    if (r.method === "GET" && r.path === "/api/v1/options")
      return {
        status: 200,
        json: {
          cluster_options: [
            {
              field: "worker_cores",
              label: "Cores",
              default: 1,
              spec: { type: "int", min: 1, max: 4 },
            },
          ],
        },
      };
    if (r.method === "POST" && r.path === "/api/v1/clusters/") {
      const body = r.body as { cluster_options?: Record<string, unknown>; lease_ttl?: number };
      if (body.cluster_options?.["bad"] !== undefined)
        return { status: 422, json: { error: 'Unknown option "bad"; known: worker_cores' } };
      const name = `c${this.next++}`;
      this.clusters.set(name, {
        name,
        user,
        status: "PENDING",
        options: body.cluster_options ?? {},
        stop_reason: null,
        lease_ttl: body.lease_ttl ?? null,
        count: 0,
        start_time: Date.now(),
        log: "scheduler starting…\nline 2\n",
      });
      if (this.options.fail !== undefined)
        setTimeout(
          () => this.setStatus(name, "FAILED", this.options.fail!),
          this.options.startAfterMs ?? 50,
        );
      else
        setTimeout(
          () => this.clusters.get(name)?.status === "PENDING" && this.setStatus(name, "RUNNING"),
          this.options.startAfterMs ?? 50,
        );
      return { status: 201, json: { name } };
    }
    if (r.method === "GET" && r.path === "/api/v1/clusters/") {
      const want = (r.query.get("status") ?? "PENDING,RUNNING").split(",");
      const mine = [...this.clusters.values()].filter(
        (c) => c.user === user && want.includes(c.status),
      );
      return {
        status: 200,
        json: Object.fromEntries(mine.map((c) => [c.name, this.model(c, extended(r))])),
      };
    }
    const m = /^\/api\/v1\/clusters\/([^/]+)(\/\w+)?$/.exec(r.path);
    if (!m) return { status: 404, json: { error: "Not found" } };
    const c = this.clusters.get(decodeURIComponent(m[1]!));
    if (r.method === "DELETE" && !m[2]) {
      if (c && c.user !== user)
        return {
          status: 403,
          json: { error: `User "${user}" is not allowed to access cluster ${c.name}` },
        };
      if (c && (c.status === "PENDING" || c.status === "RUNNING"))
        this.setStatus(c.name, "STOPPED", "stopped by the user");
      return { status: 204 };
    }
    if (!c) return { status: 404, json: { error: `Cluster ${m[1]} not found` } };
    if (c.user !== user)
      return {
        status: 403,
        json: { error: `User "${user}" is not allowed to access cluster ${c.name}` },
      };
    switch (`${r.method} ${m[2] ?? ""}`) {
      case "GET ":
        if (r.query.has("wait") && c.status === "PENDING")
          await this.waitForChange(this.options.waitMs ?? 2000);
        return { status: 200, json: this.model(c, extended(r)) };
      case "GET /logs":
        return { status: 200, text: c.log };
      case "POST /lease":
        return c.status === "RUNNING" || c.status === "PENDING"
          ? { status: 204 }
          : { status: 409, json: { error: `Cluster ${c.name} is ${c.status}` } };
      case "POST /scale": {
        if (c.status !== "RUNNING")
          return { status: 409, json: { error: `Cluster ${c.name} is ${c.status}, not RUNNING` } };
        const count = (r.body as { count: number }).count;
        c.count = Math.min(count, 5);
        return { status: 200, json: { ok: count <= 5, msg: count <= 5 ? null : "clamped to 5" } };
      }
      case "POST /adapt":
        return { status: 200, json: { ok: true, msg: null } };
    }
    return { status: 404, json: { error: "Not found" } };
  }

  private waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
}
