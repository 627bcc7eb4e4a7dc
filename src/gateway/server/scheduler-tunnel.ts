import { STATUS_CODES, type IncomingMessage, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { createWebSocketStream, WebSocketServer } from "ws";
import type { ClusterRecord } from "./cluster-record.ts";
import { publicStatus } from "./cluster-record.ts";
import { ClusterNotRunningError, GatewayError, TooManyAttemptsError } from "./errors.ts";
import type { GatewayContext } from "./gateway-context.ts";
import { authenticateUser, ownedCluster } from "./routes/request-auth.ts";

function refuse(socket: Duplex, status: number, message: string, extra = ""): void {
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n${extra}\r\n${body}`,
  );
}

function hostPort(address: string): { host: string; port: number } {
  const u = new URL(address.replace(/^tls:/, "https:").replace(/^tcp:/, "http:"));
  return { host: u.hostname.replace(/^\[|\]$/g, ""), port: Number(u.port) };
}

/** Splices two byte streams; either side closing or failing closes both. */
function splice(a: Duplex, b: Socket, onData: () => void): void {
  const end = () => {
    a.destroy();
    b.destroy();
  };
  a.on("error", end).on("close", end).on("data", onData);
  b.on("error", end).on("close", end).on("data", onData);
  a.pipe(b).pipe(a);
}

/**
 * Handles HTTP upgrades under /clusters/{name}/…: `scheduler` becomes a WebSocket whose binary
 * messages carry the raw bytes of a TCP connection to the scheduler's tls:// port (TLS stays
 * end to end: the gateway never sees plaintext); other paths are passed to the dashboard.
 * Upgrades are authenticated as the user, like every other request.
 */
export function attachUpgradeHandler(server: Server, ctx: GatewayContext): void {
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 64 * 1024 * 1024,
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    handle(req, socket, head).catch((e) => {
      if (e instanceof GatewayError) {
        refuse(
          socket,
          e.status,
          e.message,
          e.status === 401
            ? `WWW-Authenticate: ${ctx.auth.challenge}\r\n`
            : e instanceof TooManyAttemptsError
              ? `Retry-After: ${e.retryAfterS}\r\n`
              : "",
        );
      } else {
        ctx.log.error({ err: e }, "Upgrade failed");
        refuse(socket, 500, "Internal server error");
      }
    });
  });

  async function handle(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", "http://gateway");
    const m = /^\/clusters\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!m) return refuse(socket, 404, `Not found: ${url.pathname}`);
    const { user } = await authenticateUser(ctx, req.headers, req.socket.remoteAddress);
    let name: string;
    try {
      name = decodeURIComponent(m[1]!);
    } catch {
      return refuse(socket, 404, `Cluster ${m[1]} not found`);
    }
    const c = ownedCluster(ctx, user, name);
    if (publicStatus(c) !== "RUNNING" || !c.schedulerAddress)
      throw new ClusterNotRunningError(c.name, publicStatus(c));
    const touch = () => {
      c.lastActivity = Date.now();
    };
    if (m[2] === "/scheduler") {
      const { host, port } = hostPort(c.schedulerAddress);
      wss.handleUpgrade(req, socket, head, (ws) => {
        const upstream = connect({ host, port, noDelay: true });
        splice(createWebSocketStream(ws), upstream, touch);
      });
      return;
    }
    passToDashboard(c, req, socket, head, (m[2] ?? "/") + url.search, touch);
  }
}

function passToDashboard(
  c: ClusterRecord,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  path: string,
  touch: () => void,
): void {
  if (!c.dashboardAddress) return refuse(socket, 404, `Cluster ${c.name} has no dashboard`);
  const { host, port } = hostPort(c.dashboardAddress);
  const upstream = connect({ host, port });
  upstream.once("connect", () => {
    const lines = [`${req.method} ${path} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const k = req.rawHeaders[i]!;
      if (/^(host|authorization|cookie)$/i.test(k)) continue;
      lines.push(`${k}: ${req.rawHeaders[i + 1]}`);
    }
    lines.push(`Host: ${host}:${port}`);
    lines.push(`Authorization: token ${c.token}`); // the scheduler's dashboard wants the cluster's token
    upstream.write(lines.join("\r\n") + "\r\n\r\n");
    if (head.length) upstream.write(head);
    splice(socket, upstream, touch);
  });
  upstream.once("error", () =>
    refuse(socket, 502, `Cannot reach the dashboard of cluster ${c.name}`),
  );
}
