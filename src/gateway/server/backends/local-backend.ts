import { join } from "node:path";
import type { ClusterRecord, WorkerRecord } from "../cluster-record.ts";
import { BackendStartError } from "../errors.ts";
import type { Backend, Checkpoint, LaunchEnv } from "./backend.ts";
import { clusterProcessEnv, schedulerArgv, workerArgv } from "./cluster-commands.ts";
import { ClusterFolders, joinLogs } from "./cluster-folders.ts";
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

/**
 * Runs each cluster's scheduler and workers as child processes of the gateway's host, in a
 * per-cluster directory holding its certificate files (0600) and its logs. Processes are
 * detached and write straight to their log files, so they survive a gateway crash and the
 * next gateway adopts them from the checkpoints (`pid`).
 */
export class LocalBackend implements Backend {
  onProcessExit?: (clusterName: string) => void;
  readonly #pool: WarmPool;
  readonly #folders: ClusterFolders;

  constructor(private readonly s: LocalBackendSettings) {
    this.#folders = new ClusterFolders(s.dataDir);
    this.#pool = new WarmPool(s.dataDir, s.warmProcesses);
    this.#pool.prewarm(s.schedulerCommand);
    this.#pool.prewarm(s.workerCommand);
  }

  /**
   * Starts argv in a warm spare when one fits, else as a fresh detached process; `what` names
   * the process in the error when it cannot start.
   */
  #spawn(
    argv: string[],
    c: ClusterRecord,
    launch: LaunchEnv,
    log: string,
    what: string,
  ): Checkpoint {
    const dir = this.#folders.dir(c.name);
    const env = clusterProcessEnv(c, launch.env);
    const onExit = () => this.onProcessExit?.(c.name);
    let pid: number;
    try {
      pid =
        this.#pool.take(argv, env, dir, log, onExit) ??
        spawnLogged(argv, { ...process.env, ...env }, dir, log, onExit);
    } catch (e) {
      throw new BackendStartError(`cannot start ${what}: ${(e as Error).message}`, { cause: e });
    }
    return { pid, pstart: startTimeOf(pid) };
  }

  async *startCluster(c: ClusterRecord, launch: LaunchEnv): AsyncGenerator<Checkpoint, void, void> {
    const dir = this.#folders.dir(c.name);
    const tls = await this.#folders.writeTlsFiles(c);
    yield { dir };
    const listen = { host: "127.0.0.1", port: 0, dashboardPort: 0 };
    const argv = schedulerArgv(this.s.schedulerCommand, listen, tls);
    const what = `the scheduler of cluster ${c.name} with ${JSON.stringify(argv[0])}`;
    yield { dir, ...this.#spawn(argv, c, launch, join(dir, "scheduler.log"), what) };
  }

  async stopCluster(c: ClusterRecord, state: Checkpoint): Promise<void> {
    if (typeof state.pid === "number")
      await terminate(state.pid, c.name, this.s.stopGraceMs, pstartOf(state));
    await this.#folders.removeTlsFiles(c.name);
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
    const argv = workerArgv(this.s.workerCommand, c, w, this.#folders.tlsPaths(c.name));
    const log = join(this.#folders.dir(c.name), `worker-${w.name}.log`);
    yield this.#spawn(argv, c, launch, log, `worker ${w.name} of cluster ${c.name}`);
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
    return joinLogs(await this.#folders.readLogs(c.name));
  }

  async close(): Promise<void> {
    this.#pool.close();
  }
}
