import { mkdirSync } from "node:fs";
import type { Server } from "node:net";
import type { Duplex } from "node:stream";
import type {
  SchedulerToWorker,
  TaskLog,
  WorkerHeartbeat,
  WorkerToScheduler,
} from "../messages.ts";
import type { ClusterSecurity } from "../security.ts";
import { Connection } from "../wire/connection.ts";
import { dialWithRetry } from "../wire/dial.ts";
import { listenTcp } from "../wire/tcp-transport.ts";
import { listenUnix } from "../wire/unix-transport.ts";
import { TaskMemoryError } from "../errors.ts";
import { BundleCache } from "./bundle-cache.ts";
import { PeerClient } from "./peer-client.ts";
import { servePeer } from "./peer-serving.ts";
import { InputFetcher } from "./input-fetcher.ts";
import type { PoolTask } from "./pool-task.ts";
import { ThreadPool } from "./thread-pool.ts";
import { InlineTasks } from "./inline-tasks.ts";
import { parseInlineShortMs } from "./inline-policy.ts";
import { MemoryMonitor } from "./memory-monitor.ts";
import { outOfMemoryDetail, threadHeapMib } from "./memory-limit.ts";
import type { WorkerCommand, WorkerEvent } from "./worker-events.ts";
import { WorkerState } from "./worker-state.ts";

export interface WorkerOptions {
  readonly scheduler: string;
  readonly name: string;
  /** Task threads. @default 1 */
  readonly concurrency?: number;
  readonly security?: ClusterSecurity;
  /** Host this worker's peer port listens on and advertises. @default "127.0.0.1" */
  readonly host?: string;
  /** Serve peer data on this Unix socket (absolute path, no TLS) instead of a port on `host`. */
  readonly socketPath?: string;
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
  /** Bytes (see parseMemoryLimit); undefined = no limit. Caps each task thread's heap and pauses the worker at 80%. */
  readonly memoryLimit?: number;
  /**
   * Runs known-short task runs on the I/O loop rather than in a thread (inline-policy.ts).
   * Always off when the threads compile TypeScript.
   * @default true, unless FLOWGATE_INLINE_TASKS=off
   */
  readonly inlineTasks?: boolean;
  /** A task run under this many ms is short (inline-policy.ts). @default FLOWGATE_INLINE_SHORT_MS, else 1 */
  readonly inlineShortMs?: number;
}

type SchedulerLink = Connection<SchedulerToWorker, WorkerToScheduler>;

/** A log line as a task thread posts it: [run, ...TaskLog]. */
type ThreadLog = [number, ...TaskLog];

/**
 * A worker process's I/O shell around WorkerState: registers with the scheduler, decodes its
 * messages into events, carries out the commands (thread pool, peer fetches, bundle cache),
 * serves held results to peers and heartbeats every second.
 */
export class ClusterWorker {
  readonly state: WorkerState;
  private conn!: SchedulerLink;
  private peerServer: Server | undefined;
  private readonly client: PeerClient;
  private readonly bundles: BundleCache;
  private readonly fetcher: InputFetcher;
  private pool!: ThreadPool;
  private readonly inline: InlineTasks;
  private memory: MemoryMonitor | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Ends a graceful stop's wait (the scheduler said `retired`). */
  private letGo: (() => void) | undefined;
  address = "";
  /** Resolves when the scheduler connection ends. */
  closed!: Promise<string>;

  constructor(private readonly o: WorkerOptions) {
    const typeScript = [this.threadModule, o.taskHostModule].some(isTypeScript);
    const inline = o.inlineTasks ?? process.env.FLOWGATE_INLINE_TASKS !== "off";
    const shortMs = o.inlineShortMs ?? parseInlineShortMs(process.env.FLOWGATE_INLINE_SHORT_MS);
    this.state = new WorkerState(true, Date.now, inline && !typeScript, shortMs);
    this.inline = new InlineTasks({
      hooks: o.threadHooks ?? [],
      spec: (run) => this.state.runs.get(run)?.spec,
      onResults: (list) => this.feed({ type: "results", list }),
      onLogs: (list) => this.sendLogs(list),
    });
    this.client = new PeerClient(o.security);
    this.bundles = new BundleCache(o.bundleDir);
    this.fetcher = new InputFetcher(this.state, this.client, (ev) => this.feed(ev));
  }

  get id(): number {
    return this.state.id;
  }

  async start(): Promise<void> {
    const host = this.o.host ?? "127.0.0.1";
    const serve = (s: Duplex) => void servePeer(s, this.state.store);
    if (this.o.socketPath) {
      this.peerServer = await listenUnix(this.o.socketPath, serve);
      this.address = `unix://${this.o.socketPath}`;
    } else {
      this.peerServer = await listenTcp(host, 0, this.o.security, serve);
      const port = (this.peerServer.address() as { port: number }).port;
      this.address = `${this.o.security ? "tls" : "tcp"}://${host}:${port}`;
    }
    mkdirSync(this.o.bundleDir, { recursive: true });
    this.conn = (await dialWithRetry(
      this.o.scheduler,
      this.o.security,
      this.o.connectTimeoutMs ?? 30_000,
    )) as unknown as SchedulerLink;
    this.closed = new Promise((resolve) => (this.conn.onClose = resolve));
    const welcomed = new Promise<void>((resolve) => {
      this.conn.onMessage = (m) => {
        this.onMessage(m);
        if (m.t === "welcome") resolve();
      };
    });
    this.conn.send({
      t: "hello-worker",
      name: this.o.name,
      address: this.address,
      slots: this.o.concurrency ?? 1,
    });
    this.heartbeat = setInterval(() => this.sendHeartbeat(), 1000);
    this.pool = this.makePool();
    const limit = this.o.memoryLimit;
    if (limit)
      this.memory = new MemoryMonitor({
        limit,
        worker: this.o.name,
        setPaused: (paused) => this.feed({ type: "memory", paused }),
        hasWork: () => this.pool.load + this.inline.pending > 0,
      });
    await welcomed;
  }

  private get threadModule(): string {
    return this.o.threadModule ?? new URL("./task-thread.ts", import.meta.url).href;
  }

  private makePool(): ThreadPool {
    const threads = this.o.concurrency ?? 1;
    const limit = this.o.memoryLimit;
    const threadModule = this.threadModule;
    return new ThreadPool({
      size: threads,
      heapMib: limit ? threadHeapMib(limit, threads) : undefined,
      outOfMemoryMessage: (t) => this.outOfMemory(t),
      threadModule,
      tsxApi: [threadModule, this.o.taskHostModule].some(isTypeScript)
        ? import.meta.resolve("tsx/esm/api")
        : undefined,
      hooks: this.o.threadHooks ?? [],
      onResults: (list) => this.feed({ type: "results", list }),
      onLogs: (list) => this.sendLogs(list as ThreadLog[]),
      onLoadFailed: (run, message) =>
        this.conn.send({
          t: "load-failed",
          run,
          message: `${message} (on worker '${this.o.name}')`,
        }),
      onStart: (t) => this.feed({ type: "starting", task: { run: t.run, n: t.n, c: t.c } }),
    });
  }

  private sendHeartbeat(): void {
    const cpu = process.cpuUsage();
    const xfer = this.fetcher.takeTransfers();
    const hb: WorkerHeartbeat = {
      t: "hb",
      load: this.pool.load + this.inline.pending,
      bytes: this.state.store.bytes,
      rss: process.memoryUsage.rss(),
      cpu: cpu.user + cpu.system,
      now: Date.now(),
      xfer,
      paused: this.state.paused,
      inputBytes: this.pool.inputBytes,
    };
    this.conn.send(hb);
  }

  /** The failure message of a task whose thread ran out of heap; also logged. */
  private outOfMemory(t: PoolTask): string {
    const spec = this.state.runs.get(t.run)?.spec.nodes[t.n];
    const label = !spec ? `#${t.n}` : t.c < 0 ? spec.id : `${spec.id}[${t.c}]`;
    const threads = this.o.concurrency ?? 1;
    const detail = outOfMemoryDetail(this.o.memoryLimit, threads);
    const message = new TaskMemoryError(label, this.o.name, detail).message;
    process.stderr.write(`flowgate worker '${this.o.name}': ${message}\n`);
    return message;
  }

  private onMessage(m: SchedulerToWorker): void {
    if (m.t === "bundle") {
      this.bundles.store(m.hash, m.code);
      return this.feed({ type: "bundle-ready", hash: m.hash });
    }
    // A forget (lazy, so often in the same frame as the next run's compute) waits for the turn after.
    if (m.t === "forget") return void setImmediate(() => this.feed({ type: "scheduler", msg: m }));
    this.feed({ type: "scheduler", msg: m });
  }

  /** Feeds one event to the core and carries out its commands. */
  private feed(ev: WorkerEvent): void {
    for (const c of this.state.handle(ev)) this.run(c);
  }

  private run(c: WorkerCommand): void {
    switch (c.k) {
      case "send":
        if (c.lazy) return this.conn.sendLazy(c.msg);
        this.conn.send(c.msg);
        if (c.flush) this.conn.flush();
        return;
      case "send-gathered":
        return this.conn.sendBulk(
          { t: "gathered", run: c.run, keys: [...c.keys] } as never,
          c.values,
        );
      case "execute":
        this.memory?.watch();
        return this.pool.submit(c.tasks);
      case "inline-execute":
        this.memory?.watch();
        return this.inline.submit(c.tasks);
      case "inline-load":
        return void this.inline
          .loadCode(c.run)
          .then((ok) => this.feed({ type: "inline-code", code: c.code, ok }));
      case "fetch":
        return void this.fetcher.fetchInputs(c.base, c.inputs, c.remote);
      case "gather-large":
        return void this.fetcher.gatherLarge(c.base, c.task.args, c.task.who);
      case "need-bundle":
        if (this.bundles.has(c.hash)) return this.feed({ type: "bundle-ready", hash: c.hash });
        return this.conn.send({ t: "get-bundle", hash: c.hash });
      case "pool-add-run": {
        const info = {
          ...c.info,
          bundlePath: this.bundles.path(c.bundle),
          taskHost: this.o.taskHostModule,
        };
        this.inline.addRun(info);
        return this.pool.addRun(info);
      }
      case "pool-release":
        this.inline.release(c.run, c.node);
        return this.pool.release(c.run, c.node);
      case "pool-cancel":
        this.inline.cancel(c.run);
        return this.pool.cancel(c.run);
      case "pool-forget":
        this.inline.forget(c.run);
        return this.pool.forget(c.run);
      case "pool-steal": {
        const keys = this.pool.steal(c.max).flatMap((t) => [t.run, t.n, t.c]);
        return this.feed({ type: "handed-back", keys });
      }
      case "pool-remove":
        if (this.pool.remove(c.task.run, c.task.n, c.task.c))
          this.feed({ type: "dropped", task: c.task });
        return;
      case "pool-pause":
        return this.pool.setPaused(c.paused);
      case "replicate":
        return void this.fetcher.replicate(c.id, c.run, c.from, c.keys);
      case "let-go":
        return this.letGo?.();
      case "disconnect":
        return this.conn.close(c.reason);
    }
  }

  /** Task threads' log lines, to the scheduler by run. */
  private sendLogs(list: readonly ThreadLog[]): void {
    if (list.length === 1) {
      const [run, ...rest] = list[0]!;
      return this.conn.send({ t: "logs", run, logs: [rest] });
    }
    const byRun = new Map<number, TaskLog[]>();
    for (const [run, ...rest] of list) {
      let l = byRun.get(run);
      if (!l) byRun.set(run, (l = []));
      l.push(rest);
    }
    for (const [run, logs] of byRun) this.conn.send({ t: "logs", run, logs });
  }

  /**
   * Leaves gracefully: hands back the task runs it has not started, finishes the running ones,
   * and stays (serving its results to the peers that copy them) until the scheduler says
   * `retired`; all within `graceMs`, then it disconnects.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.state.stopping) return;
    if (this.conn.closed) {
      this.feed({ type: "stop", grace: graceMs });
      return this.close();
    }
    this.feed({ type: "stop", grace: graceMs });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      this.letGo = () => {
        clearTimeout(timer);
        resolve();
      };
      void this.closed.then(this.letGo);
    });
    await this.close();
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.memory?.stop();
    this.conn.close("worker closing");
    this.client.close();
    this.peerServer?.close();
    await this.pool.close();
  }
}

const isTypeScript = (url: string) => /\.[cm]?tsx?$/.test(url);
