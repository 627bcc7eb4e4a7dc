import { join } from "node:path";

/**
 * Settings of the `slurm` backend, as written in the gateway config (`slurm: {…}`). A cluster
 * may override `partition`, `account`, `qos` and `time_limit` through cluster options of
 * those names (declare them in the gateway's `options` to offer them).
 */
export interface SlurmBackendConfig {
  /** argv that starts a scheduler inside the job; flowgate adds its flags. @default [node, <repo>/bin/flowgate.js, "scheduler"] */
  schedulerCommand?: string[];
  /** argv that starts a worker inside the job; flowgate adds the address and flags. @default [node, <repo>/bin/flowgate.js, "worker"] */
  workerCommand?: string[];
  /** sbatch --partition. @default none (Slurm's default partition) */
  partition?: string;
  /** sbatch --account. @default none */
  account?: string;
  /** sbatch --qos. @default none */
  qos?: string;
  /** sbatch --time, e.g. "8:00:00". @default none (the partition's limit) */
  timeLimit?: string;
  /** Send --mem (worker_memory / scheduler_memory). Off for nodes that declare no RealMemory. @default true */
  requestMemory?: boolean;
  /** Host the scheduler listens on and advertises. @default the job node's `hostname` */
  schedulerHost?: string;
  /** Extra sbatch arguments for every job, e.g. ["--constraint=skylake"]. @default [] */
  sbatchArgs?: string[];
  /** Shell lines run before the command in every job script (module load …). @default [] */
  setup?: string[];
  /** SLURM_CONF for sbatch/squeue/scancel/scontrol. @default env SLURM_CONF (unset: Slurm's own default) */
  slurmConf?: string;
  /** Folder holding sbatch, squeue, scancel and scontrol. @default found on PATH */
  binDir?: string;
  /** How long a stop waits for the job to leave squeue before it sends SIGKILL. @default 30000 */
  stopTimeoutMs?: number;
}

/** `SlurmBackendConfig` with every default filled in, plus the gateway's data folder. */
export interface SlurmBackendSettings extends Required<
  Omit<
    SlurmBackendConfig,
    "partition" | "account" | "qos" | "timeLimit" | "schedulerHost" | "slurmConf" | "binDir"
  >
> {
  /** Per-cluster folders (certificates, job output) live under it; must be on a filesystem the compute nodes share. */
  dataDir: string;
  partition?: string;
  account?: string;
  qos?: string;
  timeLimit?: string;
  schedulerHost?: string;
  slurmConf?: string;
  binDir?: string;
}

const repoRoot = new URL("../../../../../", import.meta.url).pathname;

/** Fills in the defaults of a `slurm` backend config. */
export function resolveSlurmOptions(c: SlurmBackendConfig, dataDir: string): SlurmBackendSettings {
  const flowgateBin = join(repoRoot, "bin", "flowgate.js");
  return {
    dataDir,
    schedulerCommand: c.schedulerCommand ?? [process.execPath, flowgateBin, "scheduler"],
    workerCommand: c.workerCommand ?? [process.execPath, flowgateBin, "worker"],
    partition: c.partition,
    account: c.account,
    qos: c.qos,
    timeLimit: c.timeLimit,
    requestMemory: c.requestMemory ?? true,
    schedulerHost: c.schedulerHost,
    sbatchArgs: c.sbatchArgs ?? [],
    setup: c.setup ?? [],
    slurmConf: c.slurmConf ?? process.env.SLURM_CONF,
    binDir: c.binDir,
    stopTimeoutMs: c.stopTimeoutMs ?? 30_000,
  };
}
