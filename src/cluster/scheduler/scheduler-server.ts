import type { Server } from "node:net";
import type { Duplex } from "node:stream";
import type { ClusterSecurity } from "../security.ts";
import { Connection, type Message } from "../wire/connection.ts";
import { listenTcp } from "../wire/tcp-transport.ts";
import { SchedulerState, type SchedulerCommand } from "./scheduler-state.ts";

export interface SchedulerOptions {
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** Mutual TLS credentials; without them the scheduler speaks plain tcp:// (local development only). */
  readonly security?: ClusterSecurity;
  /** A worker silent this long is dropped. @default 5000 */
  readonly workerTimeoutMs?: number;
}

/**
 * The scheduler process's I/O shell: accepts client and worker connections, feeds their messages
 * into SchedulerState and carries out the commands it returns.
 */
export class SchedulerServer {
  readonly core = new SchedulerState();
  private readonly conns = new Map<number, Connection>();
  private readonly clients = new Set<number>();
  private readonly bundles = new Map<string, Buffer>();
  private nextId = 1;
  private server: Server | undefined;
  private sweep: NodeJS.Timeout | undefined;
  private flushScheduled = false;
  address = "";
  /** Called when the worker set changes. */
  onWorkersChanged: () => void = () => {};
  /** Called with every message received, before the core acts on it (the dashboard's collector). */
  onObserve: (from: number, m: Message) => void = () => {};

  constructor(private readonly options: SchedulerOptions = {}) {}

  async listen(): Promise<string> {
    const host = this.options.host ?? "127.0.0.1";
    this.server = await listenTcp(host, this.options.port ?? 0, this.options.security, (s) =>
      this.accept(s),
    );
    const port = (this.server.address() as { port: number }).port;
    this.address = `${this.options.security ? "tls" : "tcp"}://${host.includes(":") ? `[${host}]` : host}:${port}`;
    const ttl = this.options.workerTimeoutMs ?? 5000;
    const period = Math.min(1000, ttl / 2);
    let lastSweep = Date.now();
    this.sweep = setInterval(() => {
      const now = Date.now();
      // If this loop itself was blocked, the workers' heartbeats are still unread: do not blame them.
      const stalled = now - lastSweep > 2 * period;
      lastSweep = now;
      for (const w of this.core.workers.values()) {
        if (stalled) w.lastSeen = Math.max(w.lastSeen, now - period);
        else if (now - w.lastSeen > ttl) {
          process.stderr.write(
            `worker '${w.name}' dropped: no message for ${now - w.lastSeen} ms (heartbeat timeout ${ttl} ms)\n`,
          );
          this.conns.get(w.id)?.close("heartbeat timeout");
        }
      }
    }, period);
    this.sweep.unref();
    return this.address;
  }

  /** Accepts a connection from another transport (a tunnel). */
  accept(stream: Duplex): void {
    const id = this.nextId++;
    const conn = new Connection(stream);
    this.conns.set(id, conn);
    conn.onMessage = (m) => this.onMessage(id, conn, m);
    conn.onClose = () => {
      this.conns.delete(id);
      if (this.clients.delete(id)) this.core.removeClient(id);
      else if (this.core.workers.has(id)) {
        if (process.env.FLOWGATE_DEBUG)
          process.stderr.write(`worker '${conn.peer}' removed: connection closed\n`);
        this.core.removeWorker(id);
        this.onWorkersChanged();
      }
      this.flush();
    };
  }

  private onMessage(id: number, conn: Connection, m: Message): void {
    this.onObserve(id, m);
    switch (m.t) {
      case "hello-worker":
        conn.peer = m.name as string;
        this.core.addWorker(id, m.name as string, m.address as string, m.slots as number);
        this.onWorkersChanged();
        break;
      case "hello-client":
        this.clients.add(id);
        conn.send({ t: "hello", workers: this.core.workers.size });
        break;
      case "has-bundle":
        conn.send({ t: "bundle-status", hash: m.hash, has: this.bundles.has(m.hash as string) });
        break;
      case "put-bundle":
        this.bundles.set(m.hash as string, m.code as Buffer);
        break;
      case "get-bundle":
        conn.send({ t: "bundle", hash: m.hash, code: this.bundles.get(m.hash as string) ?? null });
        break;
      case "submit":
        this.core.submit(id, m);
        break;
      case "cancel":
        this.core.cancel(id, m.ref as number);
        break;
      case "hb":
        this.core.heartbeat(id, m);
        break;
      case "goodbye":
        this.core.retire(id, typeof m.grace === "number" ? m.grace : undefined);
        break;
      default:
        this.core.fromWorker(id, m);
    }
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Carries out the core's commands. */
  flush(): void {
    this.run(this.core.drain());
  }

  private run(commands: SchedulerCommand[]): void {
    for (const c of commands) {
      if (c.k === "send") {
        if (c.bulk) this.conns.get(c.to)?.sendBulk(c.msg, c.bulk);
        else if (c.lazy) this.conns.get(c.to)?.sendLazy(c.msg);
        else this.conns.get(c.to)?.send(c.msg);
      } else
        setTimeout(() => {
          this.core.retryDue(c.run, c.node, c.child);
          this.flush();
        }, c.delay).unref();
    }
  }

  /** Sends one message to connection `to` (the dashboard's progress push to clients). */
  send(to: number, msg: Message): void {
    this.conns.get(to)?.send(msg);
  }

  /** Stops accepting, closes every connection (workers then exit). */
  async close(): Promise<void> {
    clearInterval(this.sweep);
    for (const [id, c] of this.conns) if (this.core.workers.has(id)) c.send({ t: "shutdown" });
    for (const c of this.conns.values()) c.close("scheduler closing");
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
