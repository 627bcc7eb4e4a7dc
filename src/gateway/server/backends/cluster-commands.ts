import type { ClusterRecord, WorkerRecord } from "../cluster-record.ts";
import { BackendStartError } from "../errors.ts";

/** Where a scheduler or worker process finds the cluster's certificate and key. */
export interface TlsPaths {
  cert: string;
  key: string;
}

/** Where a scheduler listens; port 0 lets it pick a free one. */
export interface SchedulerListen<Host> {
  /** A plain host, or whatever word a backend resolves later (Slurm's `"$(hostname)"`). */
  host: Host;
  port: number;
  dashboardPort: number;
}

/** The worker's --memory-limit from GiB ("2G", "512M"). */
const memoryFlag = (gib: number): string =>
  Number.isInteger(gib) ? `${gib}G` : `${Math.max(1, Math.round(gib * 1024))}M`;

/** The certificate serves as its own CA: every process of a cluster trusts only that cluster. */
function tlsFlags(tls: TlsPaths): string[] {
  return ["--tls-cert", tls.cert, "--tls-key", tls.key, "--tls-ca", tls.cert];
}

/** The scheduler's argv: the backend's scheduler command, then where it listens and its TLS files. */
export function schedulerArgv<Host>(
  command: readonly string[],
  listen: SchedulerListen<Host>,
  tls: TlsPaths,
): (string | Host)[] {
  return [
    ...command,
    "--host",
    listen.host,
    "--port",
    String(listen.port),
    "--dashboard-port",
    String(listen.dashboardPort),
    ...tlsFlags(tls),
  ];
}

/**
 * A worker's argv: the backend's worker command, then the scheduler it joins (by default the
 * address the scheduler reported; BackendStartError before it has), its name, the cluster's
 * worker size and TLS files.
 */
export function workerArgv(
  command: readonly string[],
  c: ClusterRecord,
  w: WorkerRecord,
  tls: TlsPaths,
  schedulerAddress: string = requireSchedulerAddress(c),
): string[] {
  return [
    ...command,
    schedulerAddress,
    "--name",
    w.name,
    "--concurrency",
    String(c.config.worker_cores),
    "--memory-limit",
    memoryFlag(c.config.worker_memory),
    ...tlsFlags(tls),
  ];
}

/** The environment of a cluster's processes: the cluster's own, then the gateway's launch env over it. */
export function clusterProcessEnv(
  c: ClusterRecord,
  launchEnv: Record<string, string>,
): Record<string, string> {
  return { ...c.config.environment, ...launchEnv };
}

/** The address workers connect to, known once the scheduler has reported it. */
export function requireSchedulerAddress(c: ClusterRecord): string {
  if (!c.schedulerAddress)
    throw new BackendStartError(`cluster ${c.name} has no scheduler address yet`);
  return c.schedulerAddress;
}
