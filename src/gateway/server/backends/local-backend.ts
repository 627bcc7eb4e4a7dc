import { mkdir, writeFile, readFile, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { ClusterRecord, WorkerRecord } from "../cluster-record.ts";
import { BackendStartError } from "../errors.ts";
import type { Backend, Checkpoint, LaunchEnv } from "./backend.ts";
import { WarmPool } from "./warm-pool.ts";
import { exitCodeOf, isAlive, spawnLogged, startTimeOf, terminate } from "./local-process.ts";

const pstartOf = (s: Checkpoint) => (typeof s.pstart === "number" ? s.pstart : undefined);

/** Settings of LocalBackend. */
export interface LocalBackendSettings {
  dataDir: string;
  schedulerCommand: string[];
  workerCommand: string[];
  stopGraceMs: number;
  /** Idle Node processes kept ready per command (0 = start every process cold). */
  warmProcesses: number;
}

function memoryFlag(gib: number): string {
  return Number.isInteger(gib) ? `${gib}G` : `${Math.max(1, Math.round(gib * 1024))}M`;
}

/**
 * Runs each cluster's scheduler and workers as child processes of the gateway's host, in a
 * per-cluster directory holding its certificate files (0600) and its logs. Processes are
 * detached and write straight to their log files, so they survive a gateway crash and the
 * next gateway adopts them from the checkpoints (`pid`).
 */
export class LocalBackend implements Backend {
  onProcessExit?: (clusterName: string) => void;
  readonly #pool: WarmPool;

  constructor(private readonly s: LocalBackendSettings) {
    this.#pool = new WarmPool(s.dataDir, s.warmProcesses);
    this.#pool.prewarm(s.schedulerCommand);
    this.#pool.prewarm(s.workerCommand);
  }

  /** Starts argv in a warm spare when one fits, else as a fresh detached process. */
  #spawn(argv: string[], c: ClusterRecord, launch: LaunchEnv, dir: string, log: string): number {
    const env = { ...c.config.environment, ...launch.env };
    const onExit = () => this.onProcessExit?.(c.name);
    return (
      this.#pool.take(argv, env, dir, log, onExit) ??
      spawnLogged(argv, { ...process.env, ...env }, dir, log, onExit)
    );
  }

  #dir(name: string): string {
    return join(this.s.dataDir, "clusters", name);
  }

  async *startCluster(c: ClusterRecord, launch: LaunchEnv): AsyncGenerator<Checkpoint, void, void> {
    const dir = this.#dir(c.name);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const cert = join(dir, "tls.crt");
    const key = join(dir, "tls.key");
    await writeFile(cert, c.tlsCert, { mode: 0o600 });
    await writeFile(key, c.tlsKey, { mode: 0o600 });
    yield { dir };
    const argv = [
      ...this.s.schedulerCommand,
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--dashboard-port",
      "0",
      "--tls-cert",
      cert,
      "--tls-key",
      key,
      "--tls-ca",
      cert,
    ];
    let pid: number;
    try {
      pid = this.#spawn(argv, c, launch, dir, join(dir, "scheduler.log"));
    } catch (e) {
      throw new BackendStartError(
        `cannot start the scheduler of cluster ${c.name} with ${JSON.stringify(argv[0])}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    yield { dir, pid, pstart: startTimeOf(pid) };
  }

  async stopCluster(c: ClusterRecord, state: Checkpoint): Promise<void> {
    if (typeof state.pid === "number")
      await terminate(state.pid, c.name, this.s.stopGraceMs, pstartOf(state));
    // The key leaves the disk with the cluster; logs stay for GET …/logs.
    const dir = this.#dir(c.name);
    await rm(join(dir, "tls.key"), { force: true });
    await rm(join(dir, "tls.crt"), { force: true });
  }

  async checkClusters(clusters: ClusterRecord[]): Promise<boolean[]> {
    return clusters.map(
      (c) => typeof c.state.pid !== "number" || isAlive(c.state.pid, c.name, pstartOf(c.state)),
    );
  }

  async *startWorker(
    c: ClusterRecord,
    w: WorkerRecord,
    launch: LaunchEnv,
  ): AsyncGenerator<Checkpoint, void, void> {
    const dir = this.#dir(c.name);
    const cert = join(dir, "tls.crt");
    const key = join(dir, "tls.key");
    if (!c.schedulerAddress)
      throw new BackendStartError(`cluster ${c.name} has no scheduler address yet`);
    const argv = [
      ...this.s.workerCommand,
      c.schedulerAddress,
      "--name",
      w.name,
      "--concurrency",
      String(c.config.worker_cores),
      "--memory-limit",
      memoryFlag(c.config.worker_memory),
      "--tls-cert",
      cert,
      "--tls-key",
      key,
      "--tls-ca",
      cert,
    ];
    let pid: number;
    try {
      pid = this.#spawn(argv, c, launch, dir, join(dir, `worker-${w.name}.log`));
    } catch (e) {
      throw new BackendStartError(
        `cannot start worker ${w.name} of cluster ${c.name}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    yield { pid, pstart: startTimeOf(pid) };
  }

  async stopWorker(c: ClusterRecord, _w: WorkerRecord, state: Checkpoint): Promise<void> {
    if (typeof state.pid === "number")
      await terminate(state.pid, c.name, this.s.stopGraceMs, pstartOf(state));
  }

  async checkWorkers(c: ClusterRecord, workers: WorkerRecord[]): Promise<boolean[]> {
    return workers.map(
      (w) => typeof w.state.pid !== "number" || isAlive(w.state.pid, c.name, pstartOf(w.state)),
    );
  }

  /** Exit code of a process of ours, for stop reasons ("exited with code 1"). */
  exitCode(state: Checkpoint): number | string | undefined {
    return typeof state.pid === "number" ? exitCodeOf(state.pid) : undefined;
  }

  async logs(c: ClusterRecord): Promise<string> {
    const dir = this.#dir(c.name);
    let files: string[];
    try {
      files = (await readdir(dir)).filter((f) => f.endsWith(".log"));
    } catch {
      return "";
    }
    files.sort((a, b) =>
      a === "scheduler.log" ? -1 : b === "scheduler.log" ? 1 : a.localeCompare(b),
    );
    const parts = await Promise.all(
      files.map(async (f) => `==> ${f} <==\n${await readFile(join(dir, f), "utf8")}`),
    );
    return parts.join("\n");
  }

  async close(): Promise<void> {
    this.#pool.close();
  }
}
