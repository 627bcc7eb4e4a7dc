import { existsSync, mkdirSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "node:net";
import type { ArgRef } from "../../graph/commands.ts";
import type { GraphSpec } from "../../graph/task-spec.ts";
import type { ComputeTask, DoneEntry, Who } from "../messages.ts";
import type { ClusterSecurity } from "../security.ts";
import { decodeValue } from "../wire/codec.ts";
import { Connection, type Message } from "../wire/connection.ts";
import { dial } from "../wire/dial.ts";
import { listenTcp } from "../wire/tcp-transport.ts";
import { PeerClient } from "./peer-client.ts";
import { ResultStore } from "./result-store.ts";
import { ThreadPool, type PoolTask } from "./thread-pool.ts";
import type { ThreadResult } from "./thread-messages.ts";

export interface WorkerOptions {
  readonly scheduler: string;
  readonly name: string;
  /** Task threads. @default 1 */
  readonly concurrency?: number;
  readonly security?: ClusterSecurity;
  /** Host this worker's peer port listens on and advertises. @default "127.0.0.1" */
  readonly host?: string;
  /** URL of the module exporting loadTaskHost(bundlePath, flowName). */
  readonly taskHostModule: string;
  /** Module resolve hooks every task thread registers (besides tsx). */
  readonly threadHooks?: readonly string[];
  /** Where fetched flow bundles are cached by hash. */
  readonly bundleDir: string;
  /** URL of task-thread.ts. @default next to this file */
  readonly threadModule?: string;
  /** @default 30000 */
  readonly connectTimeoutMs?: number;
}

interface RunInfo {
  spec: GraphSpec;
  ready: boolean;
  waiting: ComputeTask[];
  nodeMs: Float64Array;
}

/**
 * A worker process's I/O loop: registers with the scheduler, runs task runs on its thread pool,
 * keeps their results and serves them to peers, and heartbeats every second.
 */
export class ClusterWorker {
  private conn!: Connection;
  private peerServer: Server | undefined;
  private readonly peers = new Map<number, string>();
  private readonly store = new ResultStore();
  private readonly runs = new Map<number, RunInfo>();
  private readonly bundleWaiters = new Map<string, (() => void)[]>();
  private readonly client: PeerClient;
  private pool!: ThreadPool;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Fetches from peers since the last heartbeat, for the dashboard: [start, end, bytes] triples (bounded). */
  private transfers: number[] = [];
  id = -1;
  address = "";
  /** Resolves when the scheduler connection ends. */
  closed!: Promise<string>;

  constructor(private readonly o: WorkerOptions) {
    this.client = new PeerClient(o.security);
  }

  async start(): Promise<void> {
    const host = this.o.host ?? "127.0.0.1";
    this.peerServer = await listenTcp(host, 0, this.o.security, (s) => {
      const c = new Connection(s);
      c.onMessage = (m) => {
        if (m.t === "get") c.sendBulk({ t: "data", id: m.id }, (m.keys as string[]).map((k) => this.store.getKey(m.run as number, k) ?? null));
      };
    });
    const port = (this.peerServer.address() as { port: number }).port;
    this.address = `${this.o.security ? "tls" : "tcp"}://${host}:${port}`;
    mkdirSync(this.o.bundleDir, { recursive: true });
    this.conn = await dialWithRetry(this.o.scheduler, this.o.security, this.o.connectTimeoutMs ?? 30_000);
    this.closed = new Promise((resolve) => (this.conn.onClose = resolve));
    const welcomed = new Promise<void>((resolve) => {
      this.conn.onMessage = (m) => {
        this.onMessage(m);
        if (m.t === "welcome") resolve();
      };
    });
    this.conn.send({ t: "hello-worker", name: this.o.name, address: this.address, slots: this.o.concurrency ?? 1 });
    this.heartbeat = setInterval(() => {
      const cpu = process.cpuUsage();
      const xfer = this.transfers;
      this.transfers = [];
      this.conn.send({ t: "hb", load: this.pool.load, bytes: this.store.bytes, rss: process.memoryUsage.rss(), cpu: cpu.user + cpu.system, now: Date.now(), xfer });
    }, 1000);
    this.pool = new ThreadPool({
      size: this.o.concurrency ?? 1,
      threadModule: this.o.threadModule ?? new URL("./task-thread.ts", import.meta.url).href,
      tsxApi: import.meta.resolve("tsx/esm/api"),
      hooks: this.o.threadHooks ?? [],
      onResults: (list) => this.onResults(list),
      onLogs: (list) => this.onLogs(list as [number, number, string, number, number, string][]),
      onLoadFailed: (run, message) => this.conn.send({ t: "load-failed", run, message: `${message} (on worker '${this.o.name}')` }),
      onStart: (t) => {
        this.conn.send({ t: "started", run: t.run, keys: [t.n, t.c] });
        this.conn.flush();
      },
    });
    await welcomed;
  }

  private onMessage(m: Message): void {
    switch (m.t) {
      case "welcome":
        this.id = m.id as number;
        for (const [id, , address] of m.peers as [number, string, string][]) this.peers.set(id, address);
        break;
      case "peer": {
        const [id, , address] = m.peer as [number, string, string];
        this.peers.set(id, address);
        break;
      }
      case "peer-gone":
        this.peers.delete(m.id as number);
        break;
      case "run":
        this.addRun(m);
        break;
      case "compute":
        this.compute(m.run as number, m.tasks as ComputeTask[]);
        break;
      case "bundle":
        this.bundleArrived(m.hash as string, m.code as Buffer | null);
        break;
      case "release":
        this.store.release(m.run as number, m.node as number);
        break;
      case "cancel":
        this.pool.cancel(m.run as number);
        break;
      case "forget":
        this.runs.delete(m.run as number);
        this.store.forget(m.run as number);
        this.pool.forget(m.run as number);
        break;
      case "gather":
        this.conn.sendBulk({ t: "gathered", run: m.run, keys: m.keys }, (m.keys as string[]).map((k) => this.store.getKey(m.run as number, k) ?? null));
        break;
      case "shutdown":
        this.conn.close("scheduler shut down");
        break;
    }
  }

  private bundlePath(hash: string): string {
    return join(this.o.bundleDir, `${hash}.mjs`);
  }

  private addRun(m: Message): void {
    const run = m.run as number;
    const spec = decodeValue<GraphSpec>(m.graph as Buffer);
    const info: RunInfo = { spec, ready: false, waiting: [], nodeMs: new Float64Array(spec.nodes.length).fill(-1) };
    this.runs.set(run, info);
    const hash = m.bundle as string;
    const path = this.bundlePath(hash);
    this.pool.addRun({
      run, graph: m.graph as Buffer, params: m.params as Buffer, flowRunId: m.flowRunId as string,
      flowName: m.flowName as string, bundlePath: path, taskHost: this.o.taskHostModule,
    });
    const go = () => {
      info.ready = true;
      const w = info.waiting;
      info.waiting = [];
      this.compute(run, w);
    };
    if (existsSync(path)) return go();
    const list = this.bundleWaiters.get(hash);
    if (list) return void list.push(go);
    this.bundleWaiters.set(hash, [go]);
    this.conn.send({ t: "get-bundle", hash });
  }

  private bundleArrived(hash: string, code: Buffer | null): void {
    const path = this.bundlePath(hash);
    if (code) {
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, code);
      renameSync(tmp, path);
    }
    const list = this.bundleWaiters.get(hash) ?? [];
    this.bundleWaiters.delete(hash);
    for (const go of list) go();
  }

  private compute(run: number, tasks: ComputeTask[]): void {
    const info = this.runs.get(run);
    if (!info) return;
    if (!info.ready) return void info.waiting.push(...tasks);
    const ready: PoolTask[] = [];
    for (const t of tasks) {
      const deps: [string, Buffer][] = [];
      const remote = new Map<number, string[]>();
      collectDeps(t.args, t.who, (key, holder) => {
        const local = this.store.getKey(run, key);
        if (local) deps.push([key, local]);
        else {
          let l = remote.get(holder);
          if (!l) remote.set(holder, (l = []));
          l.push(key);
        }
      });
      const spec = info.spec.nodes[t.n]!;
      const ms = info.nodeMs[t.n]!;
      const task = { run, n: t.n, c: t.c, a: t.a, m: t.m, args: t.args, deps, timeout: spec.timeout, fast: spec.timeout === 0 && ms >= 0 && ms < 1 };
      if (remote.size === 0) ready.push(task);
      else void this.fetchThenRun(run, task, remote);
    }
    if (ready.length) this.pool.submit(ready);
  }

  private async fetchThenRun(run: number, task: PoolTask, remote: Map<number, string[]>): Promise<void> {
    const lost: number[] = [];
    await Promise.all(
      [...remote].map(async ([holder, keys]) => {
        const address = this.peers.get(holder);
        const started = Date.now();
        const values = address ? await this.client.fetch(address, run, keys) : keys.map(() => null);
        if (this.transfers.length < 3000) this.transfers.push(started, Date.now(), values.reduce((a, v) => a + (v?.length ?? 0), 0));
        keys.forEach((k, i) => {
          const v = values[i];
          if (v) {
            this.store.setKey(run, k, v);
            task.deps.push([k, v]);
          } else {
            const [n, c] = k.split("|").map(Number) as [number, number];
            lost.push(n, c, holder);
          }
        });
      }),
    );
    if (!this.runs.has(run)) return;
    if (lost.length > 0) return this.conn.send({ t: "missing", run, n: task.n, c: task.c, lost });
    this.pool.submit([task]);
  }

  private onResults(list: ThreadResult[]): void {
    const byRun = new Map<number, DoneEntry[]>();
    for (const r of list) {
      const info = this.runs.get(r.run);
      if (!info) continue;
      const prev = info.nodeMs[r.n]!;
      info.nodeMs[r.n] = prev < 0 ? r.ms : prev * 0.8 + r.ms * 0.2;
      if (r.bytes) this.store.set(r.run, r.n, r.c, Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength));
      let l = byRun.get(r.run);
      if (!l) byRun.set(r.run, (l = []));
      l.push([r.n, r.c, r.code, r.ms, r.length, r.inner, r.message, r.stack]);
    }
    for (const [run, res] of byRun) this.conn.send({ t: "done", run, res });
  }

  private onLogs(list: [number, number, string, number, number, string][]): void {
    const byRun = new Map<number, unknown[]>();
    for (const [run, ...rest] of list) {
      let l = byRun.get(run);
      if (!l) byRun.set(run, (l = []));
      l.push(rest);
    }
    for (const [run, logs] of byRun) this.conn.send({ t: "logs", run, logs });
  }

  /** Leaves gracefully: no new tasks, finish the running ones (up to `graceMs`), then disconnect. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.conn.send({ t: "goodbye" });
    const until = Date.now() + graceMs;
    while (this.pool.load > 0 && Date.now() < until && !this.conn.closed) await new Promise((r) => setTimeout(r, 20));
    await this.close();
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.conn.close("worker closing");
    this.client.close();
    this.peerServer?.close();
    await this.pool.close();
  }
}

/** Dials the scheduler, retrying refused connections (it may still be starting) until the timeout. */
async function dialWithRetry(address: string, security: ClusterSecurity | undefined, timeoutMs: number): Promise<Connection> {
  const until = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay + 5, 100)) {
    try {
      return await dial(address, security, Math.max(1000, until - Date.now()));
    } catch (e) {
      if (Date.now() + delay > until || !/ECONNREFUSED/.test(String((e as Error).message))) throw e;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Calls `need(key, holder)` for each upstream result a task's args read from a worker. */
function collectDeps(args: readonly (ArgRef | null)[], who: readonly Who[], need: (key: string, holder: number) => void): void {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const w = who[i];
    if (!a || w === null || w === undefined) continue;
    if (a.k === "result" && typeof w === "number") {
      if (w >= 0) need(`${a.node}|${a.child}`, w);
    } else if (a.k === "children" && typeof w !== "number") {
      for (let c = 0; c < a.width; c++) if (w[c]! >= 0) need(`${a.node}|${c}`, w[c]!);
    }
  }
}
