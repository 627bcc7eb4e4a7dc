import { existsSync, mkdirSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "node:net";
import type { GraphSpec } from "../../graph/index.ts";
import {
  EAGER_RESULT_BYTES,
  type ComputeTask,
  type DoneEntry,
  type RetirementMessage,
  type WorkerHeartbeat,
} from "../messages.ts";
import type { ClusterSecurity } from "../security.ts";
import { decodeValue } from "../wire/codec.ts";
import { Connection, type Message } from "../wire/connection.ts";
import { readComputeBatch } from "../wire/compute-batch.ts";
import { dialWithRetry } from "../wire/dial.ts";
import { listenTcp } from "../wire/tcp-transport.ts";
import { PeerClient } from "./peer-client.ts";
import {
  GATHER_CHUNK,
  fetchRemote,
  inputCount,
  planInputs,
  planInputsChunked,
  yieldToLoop,
  type FetchFn,
  type SmallPlan,
} from "./input-gatherer.ts";
import { RemoteInputs } from "./remote-inputs.ts";
import { ResultStore } from "./result-store.ts";
import { ThreadPool } from "./thread-pool.ts";
import { doneEntry, poolTask, type PoolTask } from "./pool-task.ts";
import type { ThreadResult } from "./thread-messages.ts";
import { RunDurations, type KnownDurations } from "./task-durations.ts";
import { MemoryMonitor } from "./memory-monitor.ts";
import { outOfMemoryDetail, threadHeapMib } from "./memory-limit.ts";
import { TaskMemoryError } from "../errors.ts";

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
  /** Bytes (see parseMemoryLimit); undefined = no limit. Caps each task thread's heap and pauses the worker at 80%. */
  readonly memoryLimit?: number;
}

interface RunInfo {
  spec: GraphSpec;
  ready: boolean;
  waiting: ComputeTask[];
  durations: RunDurations;
  /** Kept nodes: their small results go to the scheduler with `done`. */
  keep: ReadonlySet<number>;
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
  private readonly durations: KnownDurations = new Map();
  /** Bundles known to be in the cache directory. */
  private readonly bundles = new Set<string>();
  private readonly bundleWaiters = new Map<string, (() => void)[]>();
  private readonly client: PeerClient;
  private readonly remote = new RemoteInputs(
    this.store,
    (run) => this.fetchFrom(run),
    (run) => this.runs.has(run),
  );
  private pool!: ThreadPool;
  private memory: MemoryMonitor | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Ends a graceful stop's wait (the scheduler said `retired`). */
  private letGo: (() => void) | undefined;
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
        if (m.t === "get")
          c.sendBulk(
            { t: "data", id: m.id },
            (m.keys as string[]).map((k) => this.store.getKey(m.run as number, k) ?? null),
          );
      };
    });
    const port = (this.peerServer.address() as { port: number }).port;
    this.address = `${this.o.security ? "tls" : "tcp"}://${host}:${port}`;
    mkdirSync(this.o.bundleDir, { recursive: true });
    this.conn = await dialWithRetry(
      this.o.scheduler,
      this.o.security,
      this.o.connectTimeoutMs ?? 30_000,
    );
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
    this.heartbeat = setInterval(() => {
      const cpu = process.cpuUsage();
      const xfer = this.transfers;
      this.transfers = [];
      const hb: WorkerHeartbeat = {
        t: "hb",
        load: this.pool.load,
        bytes: this.store.bytes,
        rss: process.memoryUsage.rss(),
        cpu: cpu.user + cpu.system,
        now: Date.now(),
        xfer,
        paused: this.memory?.paused ?? false,
        inputBytes: this.pool.inputBytes,
      };
      this.conn.send(hb);
    }, 1000);
    const threads = this.o.concurrency ?? 1;
    const limit = this.o.memoryLimit;
    const threadModule = this.o.threadModule ?? new URL("./task-thread.ts", import.meta.url).href;
    this.pool = new ThreadPool({
      size: threads,
      heapMib: limit ? threadHeapMib(limit, threads) : undefined,
      outOfMemoryMessage: (t) => this.outOfMemory(t),
      threadModule,
      tsxApi: [threadModule, this.o.taskHostModule].some(isTypeScript)
        ? import.meta.resolve("tsx/esm/api")
        : undefined,
      hooks: this.o.threadHooks ?? [],
      onResults: (list) => this.onResults(list),
      onLogs: (list) => this.onLogs(list as [number, number, string, number, number, string][]),
      onLoadFailed: (run, message) =>
        this.conn.send({
          t: "load-failed",
          run,
          message: `${message} (on worker '${this.o.name}')`,
        }),
      onStart: (t) => {
        this.conn.send({ t: "started", run: t.run, keys: [t.n, t.c] });
        this.conn.flush();
      },
    });
    if (limit)
      this.memory = new MemoryMonitor({
        limit,
        worker: this.o.name,
        setPaused: (paused) => this.pool.setPaused(paused),
        hasWork: () => this.pool.load > 0,
      });
    await welcomed;
  }

  /** The failure message of a task whose thread ran out of heap; also logged. */
  private outOfMemory(t: PoolTask): string {
    const spec = this.runs.get(t.run)?.spec.nodes[t.n];
    const label = !spec ? `#${t.n}` : t.c < 0 ? spec.id : `${spec.id}[${t.c}]`;
    const threads = this.o.concurrency ?? 1;
    const message = new TaskMemoryError(
      label,
      this.o.name,
      outOfMemoryDetail(this.o.memoryLimit, threads),
    ).message;
    process.stderr.write(`flowgate worker '${this.o.name}': ${message}\n`);
    return message;
  }

  private onMessage(m: Message): void {
    switch (m.t) {
      case "welcome":
        this.id = m.id as number;
        for (const [id, , address] of m.peers as [number, string, string][])
          this.peers.set(id, address);
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
        this.compute(
          m.run as number,
          readComputeBatch(m.tasks as Int32Array, m.tables as Int16Array[]),
        );
        break;
      case "bundle":
        this.bundleArrived(m.hash as string, m.code as Buffer | null);
        break;
      case "release":
        this.store.release(m.run as number, m.node as number);
        this.pool.release(m.run as number, m.node as number);
        break;
      case "cancel":
        this.pool.cancel(m.run as number);
        break;
      case "replicate":
        void this.replicate(m.id as number, m.run as number, m.from as number, m.keys as string[]);
        break;
      case "retired":
        this.letGo?.();
        break;
      case "steal":
        this.conn.send({
          t: "stolen",
          keys: this.pool.steal(m.max as number).flatMap((t) => [t.run, t.n, t.c]),
        });
        break;
      case "forget":
        this.runs.get(m.run as number)?.durations.save();
        this.runs.delete(m.run as number);
        this.store.forget(m.run as number);
        this.pool.forget(m.run as number);
        break;
      case "gather":
        this.conn.sendBulk(
          { t: "gathered", run: m.run, keys: m.keys },
          (m.keys as string[]).map((k) => this.store.getKey(m.run as number, k) ?? null),
        );
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
    const hash = m.bundle as string;
    const info: RunInfo = {
      spec,
      ready: false,
      waiting: [],
      durations: new RunDurations(hash, spec, this.durations),
      keep: new Set((m.keep as number[] | undefined) ?? []),
    };
    this.runs.set(run, info);
    const path = this.bundlePath(hash);
    this.pool.addRun({
      run,
      graph: m.graph as Buffer,
      params: m.params as Buffer,
      flowRunId: m.flowRunId as string,
      flowName: m.flowName as string,
      bundlePath: path,
      taskHost: this.o.taskHostModule,
    });
    const go = () => {
      info.ready = true;
      const w = info.waiting;
      info.waiting = [];
      this.compute(run, w);
    };
    if (this.bundles.has(hash) || existsSync(path)) {
      this.bundles.add(hash);
      return go();
    }
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
    if (this.stopping) return this.handBack(tasks.map((t) => ({ run, n: t.n, c: t.c })));
    if (!info.ready) return void info.waiting.push(...tasks);
    const ready: PoolTask[] = [];
    for (const t of tasks) {
      const spec = info.spec.nodes[t.n]!;
      const ms = info.durations.of(t.n);
      const base = {
        run,
        n: t.n,
        c: t.c,
        a: t.a,
        m: t.m,
        args: t.args,
        timeout: spec.timeout,
        fast: spec.timeout === 0 && ms >= 0 && ms < 1,
      };
      // A reduce over many results is gathered in chunks, so that this loop keeps heartbeating.
      if (inputCount(t.args) > GATHER_CHUNK) {
        void this.prepare(base, t);
        continue;
      }
      const plan = planInputs(this.store, run, t.c, t.args, t.who);
      if (plan.remote.length === 0) ready.push(poolTask(base, plan.inputs));
      else void this.fetchInputs(base, plan);
    }
    if (ready.length) this.submit(ready);
  }

  private submit(tasks: PoolTask[]): void {
    if (this.stopping) return this.handBack(tasks);
    this.memory?.watch();
    this.pool.submit(tasks);
  }

  /** Gives task runs that have not started back to the scheduler (as after a steal), to run elsewhere. */
  private handBack(tasks: readonly { run: number; n: number; c: number }[]): void {
    if (tasks.length)
      this.conn.send({ t: "stolen", keys: tasks.flatMap((t) => [t.run, t.n, t.c]) });
  }

  /** Copies results ("node|child" keys) from a retiring peer, as the scheduler asked, and says which it got. */
  private async replicate(id: number, run: number, from: number, keys: string[]): Promise<void> {
    const values = await this.fetchFrom(run)(from, keys);
    const got: string[] = [];
    if (this.runs.has(run))
      keys.forEach((k, i) => {
        const v = values[i];
        if (!v) return;
        this.store.setKey(run, k, v);
        got.push(k);
      });
    this.conn.send({ t: "replicated", id, run, keys: got } satisfies RetirementMessage);
  }

  /** Fetches a small task's remote inputs (each once however many tasks wait for it), then runs it; reports inputs that were lost. */
  private async fetchInputs(base: Omit<PoolTask, "inputs">, plan: SmallPlan): Promise<void> {
    const run = base.run;
    const r = plan.remote;
    const got = await Promise.all(
      Array.from({ length: r.length / 4 }, (_, i) =>
        this.remote.want(run, r[i * 4]!, r[i * 4 + 1]!, r[i * 4 + 2]!),
      ),
    );
    if (!this.runs.has(run)) return;
    const lost: number[] = [];
    const inputs = plan.inputs;
    got.forEach((bytes, i) => {
      const [holder, node, child, sticky] = r.slice(i * 4, i * 4 + 4) as [
        number,
        number,
        number,
        number,
      ];
      if (bytes) inputs.push({ node, child, bytes, sticky: sticky === 1 });
      else lost.push(node, child, holder);
    });
    if (lost.length > 0) return this.conn.send({ t: "missing", run, n: base.n, c: base.c, lost });
    this.submit([{ ...base, inputs }]);
  }

  /** Gathers a reduce's many inputs in chunks (fetching remote ones from their holders), then runs it; reports inputs that were lost. */
  private async prepare(base: Omit<PoolTask, "inputs">, t: ComputeTask): Promise<void> {
    const run = base.run;
    const plan = await planInputsChunked(this.store, run, t.args, t.who, yieldToLoop);
    if (plan.remote.size > 0) {
      const lost = await fetchRemote(plan, this.store, run, this.fetchFrom(run));
      if (!this.runs.has(run)) return;
      if (lost.length > 0) return this.conn.send({ t: "missing", run, n: base.n, c: base.c, lost });
    }
    const deps =
      plan.deps.count > GATHER_CHUNK
        ? await plan.deps.packChunked(GATHER_CHUNK, yieldToLoop)
        : plan.deps.pack();
    if (this.runs.has(run)) this.submit([{ ...base, deps, inputs: [] }]);
  }

  private fetchFrom(run: number): FetchFn {
    return async (holder, keys) => {
      const address = this.peers.get(holder);
      const started = Date.now();
      const values = address ? await this.client.fetch(address, run, keys) : keys.map(() => null);
      if (this.transfers.length < 3000)
        this.transfers.push(
          started,
          Date.now(),
          values.reduce((a, v) => a + (v?.length ?? 0), 0),
        );
      return values;
    };
  }

  private onResults(list: ThreadResult[]): void {
    const byRun = new Map<number, DoneEntry[]>();
    for (const r of list) {
      const info = this.runs.get(r.run);
      if (!info) continue;
      info.durations.note(r.n, r.ms);
      if (r.bytes)
        this.store.set(
          r.run,
          r.n,
          r.c,
          Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength),
        );
      let l = byRun.get(r.run);
      if (!l) byRun.set(r.run, (l = []));
      const eager =
        r.bytes && r.c < 0 && r.bytes.byteLength <= EAGER_RESULT_BYTES && info.keep.has(r.n)
          ? r.bytes
          : undefined;
      l.push(doneEntry(r, eager));
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

  /**
   * Leaves gracefully: hands back the task runs it has not started, finishes the running ones,
   * and stays (serving its results to the peers that copy them) until the scheduler says
   * `retired`; all within `graceMs`, then it disconnects.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.conn.closed) return this.close();
    this.conn.send({ t: "goodbye", grace: graceMs } satisfies RetirementMessage);
    this.handBack(this.pool.steal(Infinity));
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
