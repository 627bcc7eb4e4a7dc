import { dirname, join } from "node:path";
import type { ClusterRecord, WorkerRecord } from "../../cluster-record.ts";
import type { Backend, Checkpoint, LaunchEnv } from "../backend.ts";
import { clusterProcessEnv, schedulerArgv, workerArgv } from "../cluster-commands.ts";
import { ClusterFolders, joinLogs } from "../cluster-folders.ts";
import { jobScript, memMiB } from "./job-script.ts";
import { SlurmJobs } from "./slurm-jobs.ts";
import type { SlurmBackendSettings } from "./slurm-options.ts";

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * Runs each cluster's scheduler and every worker as a Slurm batch job (sbatch), in a
 * per-cluster folder under `dataDir` holding the certificate files (0600) and the jobs'
 * output. `dataDir` must be on a filesystem the compute nodes share. Checkpoints hold the
 * job id, so a restarted gateway finds its jobs again; status comes from one squeue call per
 * check, and why a job ended (state, reason, exit code) from scontrol.
 */
export class SlurmBackend implements Backend {
  onProcessExit?: (clusterName: string) => void;
  readonly jobs: SlurmJobs;
  readonly #folders: ClusterFolders;

  constructor(private readonly s: SlurmBackendSettings) {
    this.jobs = new SlurmJobs(s);
    this.#folders = new ClusterFolders(s.dataDir);
  }

  /** Job name prefix of every job of a cluster. */
  static jobPrefix(clusterName: string): string {
    return `flowgate-${clusterName}-`;
  }

  async *startCluster(c: ClusterRecord, launch: LaunchEnv): AsyncGenerator<Checkpoint, void, void> {
    const dir = this.#folders.dir(c.name);
    const tls = await this.#folders.writeTlsFiles(c);
    yield { dir };
    const host = this.s.schedulerHost ?? { shell: '"$(hostname)"' };
    const argv = schedulerArgv(this.s.schedulerCommand, { host, port: 0, dashboardPort: 0 }, tls);
    const jobId = await this.#submit(
      c,
      launch,
      "scheduler",
      argv,
      c.config.scheduler_cores,
      c.config.scheduler_memory,
      `the scheduler of cluster ${c.name}`,
    );
    yield { dir, jobId };
  }

  async stopCluster(c: ClusterRecord, state: Checkpoint): Promise<void> {
    // Every job of the cluster, not only the scheduler's: a worker whose stop never ran is not left behind.
    const ids = new Set<string>(await this.listJobs(c.name));
    const own = str(state.jobId);
    if (own) ids.add(own);
    await this.jobs.cancel([...ids]);
    await this.#folders.removeTlsFiles(c.name);
  }

  async checkClusters(clusters: ClusterRecord[]): Promise<boolean[]> {
    return this.jobs.alive(clusters.map((c) => str(c.state.jobId)));
  }

  async *startWorker(
    c: ClusterRecord,
    w: WorkerRecord,
    launch: LaunchEnv,
  ): AsyncGenerator<Checkpoint, void, void> {
    const argv = workerArgv(this.s.workerCommand, c, w, this.#folders.tlsPaths(c.name));
    const jobId = await this.#submit(
      c,
      launch,
      `worker-${w.name}`,
      argv,
      c.config.worker_cores,
      c.config.worker_memory,
      `worker ${w.name} of cluster ${c.name}`,
    );
    yield { jobId };
  }

  async stopWorker(_c: ClusterRecord, _w: WorkerRecord, state: Checkpoint): Promise<void> {
    const id = str(state.jobId);
    if (id) await this.jobs.cancel([id]);
  }

  async checkWorkers(_c: ClusterRecord, workers: WorkerRecord[]): Promise<boolean[]> {
    return this.jobs.alive(workers.map((w) => str(w.state.jobId)));
  }

  /**
   * Why a job of ours ended, in Slurm's words (for stop reasons), or 0 when it completed with
   * exit code 0. Known once a check has seen the job gone.
   */
  exitCode(state: Checkpoint): number | string | undefined {
    const id = str(state.jobId);
    return id ? this.jobs.endReason(id) : undefined;
  }

  /** Ids of the cluster's jobs Slurm still lists (pending, running or completing). */
  listJobs(clusterName: string): Promise<string[]> {
    return this.jobs.list(SlurmBackend.jobPrefix(clusterName));
  }

  async logs(c: ClusterRecord): Promise<string> {
    return joinLogs(await this.#folders.readLogs(c.name));
  }

  async close(): Promise<void> {}

  async #submit(
    c: ClusterRecord,
    launch: LaunchEnv,
    role: string,
    argv: (string | { shell: string })[],
    cores: number,
    memGiB: number,
    what: string,
  ): Promise<string> {
    const dir = this.#folders.dir(c.name);
    const o = c.options;
    const args = [
      "--export=NONE",
      "--no-requeue",
      `--job-name=${SlurmBackend.jobPrefix(c.name)}${role}`,
      `--chdir=${dir}`,
      `--output=${join(dir, `${role}.log`)}`,
      "--open-mode=append",
      "--nodes=1",
      "--ntasks=1",
      `--cpus-per-task=${Math.max(1, Math.ceil(cores))}`,
    ];
    if (this.s.requestMemory) args.push(`--mem=${memMiB(memGiB)}`);
    const opt = (name: string, flag: string, dflt: string | undefined) => {
      const v = str(o[name]) ?? dflt;
      if (v) args.push(`--${flag}=${v}`);
    };
    opt("partition", "partition", this.s.partition);
    opt("account", "account", this.s.account);
    opt("qos", "qos", this.s.qos);
    opt("time_limit", "time", this.s.timeLimit);
    args.push(...this.s.sbatchArgs);
    const path = [
      dirname(process.execPath),
      process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    ].join(":");
    const script = jobScript({
      title: `flowgate ${role} of cluster ${c.name}`,
      env: { PATH: path, ...clusterProcessEnv(c, launch.env) },
      setup: this.s.setup,
      argv,
    });
    return this.jobs.submit(args, script, what);
  }
}
