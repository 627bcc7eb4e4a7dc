import type { Server } from "node:net";
import type { Duplex } from "node:stream";
import type { ClusterSecurity } from "../security.ts";
import { Connection, type Message } from "../wire/connection.ts";
import type { MessageLink } from "../wire/message-link.ts";
import { listenTcp } from "../wire/tcp-transport.ts";
import { listenUnix } from "../wire/unix-transport.ts";
import type { SchedulerInbound } from "../messages.ts";
import type { GraphSpec } from "../../graph/index.ts";
import { GraphMemo } from "../graph-memo.ts";
import { SchedulerState, type SchedulerCommand, type SchedulerEvent } from "./scheduler-state.ts";

/** The answer to a submit whose graph cannot be decoded (a client of another version, or a bug). */
const BAD_GRAPH = {
  t: "failed",
  code: "FG_CLUSTER_BAD_GRAPH",
  worker: "",
  message:
    "the scheduler could not decode the submitted graph (is the client the same flowgate version as the cluster?)",
} as const;

/** How often live clients get their runs' changed task-run states (`task-runs`), ms. */
const TASK_RUNS_MS = 200;

/** A connection as the scheduler sees it: it receives the protocol's inbound messages. */
export type SchedulerConnection = MessageLink<SchedulerInbound, Message>;

export interface SchedulerOptions {
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** Mutual TLS credentials; without them the scheduler speaks plain tcp:// (local development only). */
  readonly security?: ClusterSecurity;
  /**
   * Listen on this Unix socket (absolute path) instead of host:port, without TLS; the address
   * is then unix://path.
   */
  readonly socketPath?: string;
  /** A worker silent this long is dropped. @default 5000 */
  readonly workerTimeoutMs?: number;
  /** Speculative assignment on dependent chains (speculation-hint.ts). @default true */
  readonly speculate?: boolean;
}

/**
 * The scheduler process's I/O shell: accepts client and worker connections, feeds their messages
 * into SchedulerState and carries out the commands it returns.
 */
export class SchedulerServer {
  readonly core: SchedulerState;
  private readonly conns = new Map<number, SchedulerConnection>();
  private readonly clients = new Set<number>();
  private readonly bundles = new Map<string, Buffer>();
  /** Each client's last graph, decoded (see GraphMemo). */
  private readonly graphs = new GraphMemo<number>();
  private nextId = 1;
  private server: Server | undefined;
  private sweep: NodeJS.Timeout | undefined;
  private taskRunsTimer: NodeJS.Timeout | undefined;
  private flushScheduled = false;
  private pending: SchedulerCommand[] = [];
  private stimulus = 0;
  address = "";
  /** Called when the worker set changes. */
  onWorkersChanged: () => void = () => {};
  /** Called with every message received, before the core acts on it (the dashboard's collector). */
  onObserve: (from: number, m: Message) => void = () => {};

  constructor(private readonly options: SchedulerOptions = {}) {
    this.core = new SchedulerState(Date.now, options.speculate ?? true);
  }

  async listen(): Promise<string> {
    const host = this.options.host ?? "127.0.0.1";
    const socketPath = this.options.socketPath;
    if (socketPath) {
      this.server = await listenUnix(socketPath, (s) => this.accept(s));
      this.address = `unix://${socketPath}`;
    } else {
      this.server = await listenTcp(host, this.options.port ?? 0, this.options.security, (s) =>
        this.accept(s),
      );
      const port = (this.server.address() as { port: number }).port;
      this.address = `${this.options.security ? "tls" : "tcp"}://${host.includes(":") ? `[${host}]` : host}:${port}`;
    }
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
    this.taskRunsTimer = setInterval(() => {
      if (!this.core.hasLiveRuns) return;
      this.handle({ type: "task-runs-due", stimulusId: this.stim("task-runs") });
      this.flush();
    }, TASK_RUNS_MS);
    this.taskRunsTimer.unref();
    return this.address;
  }

  /** Accepts a connection from another transport (a tunnel). */
  accept(stream: Duplex): void {
    this.acceptLink(new Connection(stream));
  }

  /** Serves a client or worker on `conn` (a socket's Connection, or a link within this process). */
  acceptLink(conn: SchedulerConnection): void {
    const id = this.nextId++;
    this.conns.set(id, conn);
    conn.onMessage = (m) => this.onMessage(id, conn, m);
    conn.onClose = () => {
      this.conns.delete(id);
      this.graphs.forget(id);
      if (this.clients.delete(id))
        this.handle({ type: "client-left", id, stimulusId: this.stim("client-left") });
      else if (this.core.workers.has(id)) {
        if (process.env.FLOWGATE_DEBUG)
          process.stderr.write(`worker '${conn.peer}' removed: connection closed\n`);
        this.handle({ type: "worker-left", id, stimulusId: this.stim("worker-left") });
        this.onWorkersChanged();
      }
      this.flush();
    };
  }

  private stim(what: string): string {
    return `${what}-${++this.stimulus}`;
  }

  /** Feeds an event to the core; its commands run at the next flush. */
  private handle(ev: SchedulerEvent): void {
    let cmds: SchedulerCommand[];
    try {
      cmds = this.core.handle(ev);
    } catch (e) {
      // An invalid transition is a scheduler bug: say so loudly, keep serving the other runs.
      process.stderr.write(
        `scheduler: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      return;
    }
    for (const c of cmds) this.pending.push(c);
  }

  private onMessage(id: number, conn: SchedulerConnection, m: SchedulerInbound): void {
    this.onObserve(id, m);
    const stimulusId = this.stim(m.t);
    switch (m.t) {
      case "hello-worker":
        conn.peer = m.name;
        this.handle({
          type: "worker-joined",
          id,
          name: m.name,
          address: m.address,
          slots: m.slots,
          stimulusId,
        });
        this.onWorkersChanged();
        break;
      case "hello-client":
        this.clients.add(id);
        conn.send({ t: "hello", workers: this.core.workers.size });
        break;
      case "has-bundle":
        conn.send({ t: "bundle-status", hash: m.hash, has: this.bundles.has(m.hash) });
        break;
      case "put-bundle":
        this.bundles.set(m.hash, m.code);
        break;
      case "get-bundle":
        conn.send({ t: "bundle", hash: m.hash, code: this.bundles.get(m.hash) ?? null });
        break;
      case "submit": {
        let spec: GraphSpec;
        try {
          spec = this.graphs.specOf(id, m.graph);
        } catch (e) {
          const why = e instanceof Error ? e.message : String(e);
          conn.send({ ...BAD_GRAPH, ref: m.ref, message: `${BAD_GRAPH.message}: ${why}` });
          break;
        }
        this.handle({ type: "submit", from: id, msg: m, spec, stimulusId });
        break;
      }
      case "cancel":
        this.handle({ type: "client-message", from: id, msg: m, stimulusId });
        break;
      default:
        this.handle({ type: "worker-message", from: id, msg: m, stimulusId });
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
    const commands = this.pending;
    this.pending = [];
    for (const c of commands) {
      if (c.k === "send") {
        if (c.bulk) this.conns.get(c.to)?.sendBulk(c.msg, c.bulk);
        else if (c.lazy) this.conns.get(c.to)?.sendLazy(c.msg);
        else this.conns.get(c.to)?.send(c.msg);
      } else
        setTimeout(() => {
          const { run, node, child } = c;
          this.handle({ type: "retry-due", run, node, child, stimulusId: this.stim("retry") });
          this.flush();
        }, c.delay).unref();
    }
  }

  /** The logged transitions of a task run (`inc[3]`, or `2/inc[3]` for run 2), for the dashboard's /api/story. */
  story(task: string) {
    return this.core.story(task);
  }

  /** Sends one message to connection `to` (the dashboard's progress push to clients). */
  send(to: number, msg: Message): void {
    this.conns.get(to)?.send(msg);
  }

  /** Stops accepting, closes every connection (workers then exit). */
  async close(): Promise<void> {
    clearInterval(this.sweep);
    clearInterval(this.taskRunsTimer);
    for (const [id, c] of this.conns) if (this.core.workers.has(id)) c.send({ t: "shutdown" });
    for (const c of this.conns.values()) c.close("scheduler closing");
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
