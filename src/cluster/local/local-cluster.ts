import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { ClusterStartError } from "../errors.ts";
import type { ClusterSecurity } from "../security.ts";
import { makeSelfSignedCredentials } from "../../common/index.ts";
import {
  bundleDir,
  processEntry,
  runningRuntime,
  threadRuntimeOrSources,
  type ThreadRuntime,
  inWorkerMode,
} from "../../shipping/index.ts";
import { parseMemoryLimit } from "../worker/memory-limit.ts";
import { MAX_SOCKET_PATH_BYTES } from "../wire/address.ts";
import { serveInProcess } from "../wire/message-link.ts";
import { openScheduler, type OpenScheduler } from "../process/scheduler-process.ts";
import type { SchedulerConnection } from "../scheduler/scheduler-server.ts";

export interface LocalClusterOptions {
  /** Worker processes. */
  readonly workers: number;
  /**
   * Task threads per worker. A LocalCluster of N workers thus runs N tasks at once, one per
   * process; `flowgate worker` on its own defaults to one thread per core instead.
   * @default 1
   */
  readonly concurrency?: number;
  /** Restart a worker that dies (as Dask's nanny does). @default true */
  readonly restartWorkers?: boolean;
  /** URL of the module exporting loadTaskHost. @default flowgate's shipping/bundle-host */
  readonly taskHostModule?: string;
  /** Each worker's --memory-limit, e.g. "512MiB" or bytes (see parseMemoryLimit). @default none */
  readonly memoryLimit?: string | number;
  /** ms to wait for every process to be ready. @default 20000 */
  readonly startTimeout?: number;
  /**
   * How the cluster's processes reach each other. "unix": Unix sockets in the cluster's private
   * directory (mode 0700, so only this user and root can connect), no TLS and no certificate.
   * "tls": mutual TLS over 127.0.0.1 with a fresh certificate, for what must reach the scheduler
   * over TCP (a tunnel, a process in a container). "unix" falls back to "tls" when the
   * directory's socket paths would not fit a socket address (108 bytes; a long TMPDIR).
   * @default "unix"
   */
  readonly transport?: LocalClusterTransport;
  /**
   * Where the scheduler runs. "in-process": in this process, as Dask's LocalCluster does; a
   * client here reaches it in memory, which saves two process wake-ups per message round trip
   * (half of a short run's submit → result), and start-up spawns one process fewer. Its work
   * shares this process's event loop, so code that blocks the loop for seconds delays the
   * cluster too. "process": a child process of its own, as on a gateway's cluster.
   * @default "in-process"
   */
  readonly scheduler?: LocalClusterScheduler;
}

/** See LocalClusterOptions.transport. */
export type LocalClusterTransport = "unix" | "tls";

/** See LocalClusterOptions.scheduler. */
export type LocalClusterScheduler = "in-process" | "process";

/**
 * A running local cluster: a scheduler (in this process, or a child process: see `scheduler`)
 * and workers as child processes, talking over Unix sockets in a private directory (or mutual
 * TLS over 127.0.0.1, see `transport`).
 */
export interface LocalCluster extends AsyncDisposable {
  /** unix:///…/scheduler.sock, or tls://127.0.0.1:port */
  readonly address: string;
  /** What the processes use; "tls" also when "unix" was asked for but the paths were too long. */
  readonly transport: LocalClusterTransport;
  /** The TLS credentials clients need; undefined on Unix sockets (none is needed or made). */
  readonly security: ClusterSecurity | undefined;
  readonly dashboardLink: string;
  /**
   * Pids of every process this cluster started (including restarted workers): its workers, and
   * first the scheduler's when it runs in a process of its own.
   */
  readonly pids: readonly number[];
  /** Names of the workers currently running. */
  readonly workerNames: readonly string[];
  close(): Promise<void>;
}

/**
 * Starts a scheduler (in this process unless `scheduler: "process"`) and `workers` workers as
 * child processes on this machine, on Unix sockets in a fresh private directory (or with fresh
 * per-cluster TLS credentials). Rejects with ClusterStartError when a process fails to start
 * (MemoryLimitError for a bad `memoryLimit`).
 */
export async function LocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  if (inWorkerMode()) return notStartedCluster();
  parseMemoryLimit(options.memoryLimit); // a bad value throws MemoryLimitError before any process starts
  const c = new LocalClusterImpl(options);
  try {
    await c.start();
  } catch (e) {
    await c.close();
    throw e;
  }
  return c;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

class LocalClusterImpl implements LocalCluster {
  address = "";
  dashboardLink = "";
  security: ClusterSecurity | undefined;
  transport: LocalClusterTransport;
  readonly pids: number[] = [];
  /**
   * Private (mkdtemp makes it 0700): its sockets and key are this user's alone. Absolute even
   * under a relative TMPDIR, as socket paths must be.
   */
  private readonly dir = resolve(mkdtempSync(join(tmpdir(), "flowgate-local-")));
  private scheduler: ChildProcess | undefined;
  private inProcess: { scheduler: OpenScheduler; unserve: () => void } | undefined;
  private readonly workers = new Map<string, ChildProcess>();
  private closing = false;
  private entry = "";
  private runtime: ThreadRuntime = runningRuntime();
  private restarts = 0;

  constructor(private readonly o: LocalClusterOptions) {
    // The longest socket path a worker of this cluster can get (restarts reuse their slot's).
    const longest = this.workerSocket(`local-${Math.max(0, o.workers - 1)}`);
    const fits = [this.schedulerSocket(), longest].every(
      (p) => Buffer.byteLength(p) <= MAX_SOCKET_PATH_BYTES,
    );
    this.transport = o.transport === "tls" || !fits ? "tls" : "unix";
  }

  private schedulerSocket(): string {
    return join(this.dir, "scheduler.sock");
  }

  /** A restarted worker (local-0-r3) listens where its slot's first one did (local-0). */
  private workerSocket(name: string): string {
    return join(this.dir, `${name.replace(/-r\d+$/, "")}.sock`);
  }

  get workerNames(): string[] {
    return [...this.workers.keys()];
  }

  async start(): Promise<void> {
    const unix = this.transport === "unix";
    const [security, entry, runtime] = await Promise.all([
      unix ? undefined : makeSelfSignedCredentials("flowgate-local"),
      processEntry(),
      threadRuntimeOrSources(),
    ]);
    this.runtime = runtime;
    this.security = security;
    this.entry = entry;
    if (security) {
      writeFileSync(join(this.dir, "cert.pem"), security.tlsCert, { mode: 0o600 });
      writeFileSync(join(this.dir, "key.pem"), security.tlsKey, { mode: 0o600 });
    }
    if (this.o.scheduler === "process") return this.startWithSchedulerProcess();
    const scheduler = await openScheduler(
      unix ? { socketPath: this.schedulerSocket() } : { security },
    );
    const unserve = serveInProcess(
      scheduler.address,
      (link: SchedulerConnection) => scheduler.server.acceptLink(link),
      security,
    );
    this.inProcess = { scheduler, unserve };
    this.address = scheduler.address;
    this.dashboardLink = `${scheduler.dashboardUrl}/status`;
    await this.startWorkers();
  }

  private async startWithSchedulerProcess(): Promise<void> {
    // Workers start together with the scheduler (on a socket or port picked here) and retry
    // until it listens.
    let listen: string[];
    if (this.transport === "unix") {
      this.address = `unix://${this.schedulerSocket()}`;
      listen = ["--socket", this.schedulerSocket()];
    } else {
      const port = await freePort();
      this.address = `tls://127.0.0.1:${port}`;
      listen = ["--port", String(port), ...this.tlsArgs()];
    }
    const s = this.spawn(["scheduler", ...listen]);
    this.scheduler = s;
    const workers = this.startWorkers();
    workers.catch(() => {});
    const ready = JSON.parse(await this.readyLine(s, "flowgate scheduler ready ", "scheduler")) as {
      address: string;
      dashboard: string;
    };
    this.dashboardLink = `${ready.dashboard}/status`;
    await workers;
  }

  private async startWorkers(): Promise<void> {
    await Promise.all(
      Array.from({ length: this.o.workers }, (_, i) => this.startWorker(`local-${i}`)),
    );
  }

  private tlsArgs(): string[] {
    if (!this.security) return [];
    return ["--tls-cert", join(this.dir, "cert.pem"), "--tls-key", join(this.dir, "key.pem")];
  }

  private spawn(args: string[]): ChildProcess {
    // FLOWGATE_CLUSTER_NODE_ARGS passes node flags (e.g. --cpu-prof) to the cluster's processes.
    const nodeArgs = (process.env.FLOWGATE_CLUSTER_NODE_ARGS ?? "").split(" ").filter(Boolean);
    const p = spawn(process.execPath, [...nodeArgs, this.entry, ...args], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, FLOWGATE_EXIT_WITH_PARENT: "1" },
    });
    if (p.pid) this.pids.push(p.pid);
    p.stderr!.on("data", (d: Buffer) => {
      if (process.env.FLOWGATE_DEBUG) process.stderr.write(d);
    });
    return p;
  }

  private async startWorker(name: string): Promise<void> {
    const p = this.spawn([
      "worker",
      this.address,
      "--name",
      name,
      "--concurrency",
      String(this.o.concurrency ?? 1),
      ...(this.o.memoryLimit === undefined ? [] : ["--memory-limit", String(this.o.memoryLimit)]),
      ...(this.security ? this.tlsArgs() : ["--socket", this.workerSocket(name)]),
      "--task-host",
      this.o.taskHostModule ?? this.runtime.taskHost,
      "--thread-module",
      this.runtime.threadModule,
      ...this.runtime.hooks.flatMap((h) => ["--thread-hook", h]),
      "--bundle-dir",
      bundleDir(),
    ]);
    this.workers.set(name, p);
    p.once("exit", () => {
      if (this.workers.get(name) === p) this.workers.delete(name);
      if (this.closing || this.o.restartWorkers === false || this.restarts >= 50) return;
      this.restarts++;
      void this.startWorker(`${name.replace(/-r\d+$/, "")}-r${this.restarts}`).catch(() => {});
    });
    await this.readyLine(p, "flowgate worker ready ", `worker '${name}'`);
  }

  private readyLine(p: ChildProcess, prefix: string, what: string): Promise<string> {
    return new Promise((resolve, reject) => {
      let buf = "";
      let err = "";
      const timer = setTimeout(
        () => fail(`not ready within ${this.o.startTimeout ?? 20000} ms`),
        this.o.startTimeout ?? 20000,
      );
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(
          new ClusterStartError(
            `LocalCluster: the ${what} process ${why}${err ? `: ${err.trim()}` : ""}`,
          ),
        );
      };
      p.stderr!.on("data", (d: Buffer) => (err += d.toString()).slice(-2000));
      p.stdout!.on("data", (d: Buffer) => {
        buf += d.toString();
        const i = buf.indexOf(prefix);
        const nl = buf.indexOf("\n", i);
        if (i >= 0 && nl > i) {
          clearTimeout(timer);
          resolve(buf.slice(i + prefix.length, nl));
        }
      });
      p.once("exit", (code, signal) => fail(`exited (${signal ?? code}) before it was ready`));
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.inProcess) {
      this.inProcess.unserve();
      // Workers are told to shut down, and get SIGTERM below as well.
      await this.inProcess.scheduler.close();
    }
    const all = [this.scheduler, ...this.workers.values()].filter(
      (p): p is ChildProcess => !!p && p.exitCode === null && p.signalCode === null,
    );
    const exited = all.map(
      (p) =>
        new Promise<void>((r) =>
          p.exitCode !== null || p.signalCode !== null ? r() : p.once("exit", () => r()),
        ),
    );
    for (const p of all) p.kill("SIGTERM");
    const timer = setTimeout(() => all.forEach((p) => p.kill("SIGKILL")), 3000);
    await Promise.all(exited);
    clearTimeout(timer);
    rmSync(this.dir, { recursive: true, force: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * What LocalCluster() gives in a module loaded on a cluster worker (or by `flowgate run`): no
 * process is started; its address leads nowhere, as flow runs are inert there anyway.
 */
function notStartedCluster(): LocalCluster {
  const close = async () => {};
  return {
    address: "tls://127.0.0.1:0",
    transport: "tls",
    security: { tlsCert: "", tlsKey: "" },
    dashboardLink: "",
    pids: [],
    workerNames: [],
    close,
    [Symbol.asyncDispose]: close,
  };
}
