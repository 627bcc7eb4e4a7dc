import type { Command } from "commander";
import { readFileSync } from "node:fs";
import type { Executor } from "../executors/index.ts";
import type { Flow, FlowRunOptions, FlowRunResult } from "../flow/index.ts";
import { FlagRequiresError, UsageError } from "./errors.ts";
import { closeAll } from "./close-all.ts";
import type { GatewayFlags } from "./gateway-from.ts";

export interface ExecutionFlags extends GatewayFlags {
  executor?: string;
  cluster?: string;
  address?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  clusterName?: string;
  minWorkers?: string;
  maxWorkers?: string;
  leaseTtl?: string;
}

/** Where a flow runs, chosen on the command line. */
export interface Execution {
  run<O>(flow: Flow<O>, options: FlowRunOptions): Promise<FlowRunResult<O>>;
  /** Closes every executor, cluster and environment this execution made. */
  close(): Promise<void>;
}

/** Adds the flags that choose where a flow runs. */
export function executionOptions(cmd: Command): Command {
  return cmd
    .option("--executor <name>", "run in this process: local (the default)")
    .option("--cluster <local:N>", "run on a new local cluster of N workers, stopped afterwards")
    .option("--address <address>", "run on an existing cluster's scheduler (tls://host:port)")
    .option("--tls-cert <file>", "with --address: the cluster's certificate (PEM)")
    .option("--tls-key <file>", "with --address: its private key (PEM)")
    .option("--tls-ca <file>", "with --address: the cluster's CA (PEM; default: the certificate)")
    .option("--gateway <address>", "run on a new cluster from this gateway (GatewayEnvironment)")
    .option(
      "--cluster-name <name>",
      "with --gateway: run on this existing cluster of yours (see flowgate clusters list)",
    )
    .option("--user <name>", "with --gateway: user name (HTTP Basic)")
    .option("--password <password>", "with --gateway: password")
    .option("--token <token>", "with --gateway: API token (bearer)")
    .option("--min-workers <n>", "with --gateway: adaptive minimum (default 1)")
    .option("--max-workers <n>", "with --gateway: adaptive maximum (default: the minimum)")
    .option(
      "--lease-ttl <seconds>",
      "with --gateway: stop the cluster when this runner is silent this long (default 30)",
    );
}

/** Flags that only mean something together with another one. */
const NEEDS: readonly (readonly [keyof ExecutionFlags, string, keyof ExecutionFlags])[] = [
  ["tlsCert", "--tls-cert", "address"],
  ["tlsKey", "--tls-key", "address"],
  ["tlsCa", "--tls-ca", "address"],
  ["clusterName", "--cluster-name", "gateway"],
  ["user", "--user", "gateway"],
  ["password", "--password", "gateway"],
  ["token", "--token", "gateway"],
  ["minWorkers", "--min-workers", "gateway"],
  ["maxWorkers", "--max-workers", "gateway"],
  ["leaseTtl", "--lease-ttl", "gateway"],
];

/** The --gateway flags that size a new cluster, meaningless for an existing one. */
const SIZING: readonly (keyof ExecutionFlags)[] = ["minWorkers", "maxWorkers", "leaseTtl"];

/**
 * Checks the flags before anything starts: one place to run at most, and no flag that the
 * chosen place ignores (a FlagRequiresError names the flag it needs).
 */
export function checkExecutionFlags(flags: ExecutionFlags): void {
  const chosen = ["executor", "cluster", "address", "gateway"].filter(
    (k) => flags[k as keyof ExecutionFlags] !== undefined,
  );
  if (chosen.length > 1)
    throw new UsageError(
      `choose one of --${chosen.join(", --")}; they are different places to run`,
    );
  if (flags.executor !== undefined && flags.executor !== "local")
    throw new UsageError(`--executor ${flags.executor} is not known; use --executor local`);
  for (const [key, flag, needs] of NEEDS)
    if (flags[key] !== undefined && flags[needs] === undefined)
      throw new FlagRequiresError(flag, `--${needs}`);
  if (flags.clusterName !== undefined)
    for (const [key, flag] of NEEDS)
      if (SIZING.includes(key) && flags[key] !== undefined)
        throw new UsageError(
          `${flag} does not apply with --cluster-name (that cluster exists already); leave it out, or scale the cluster with flowgate clusters scale/adapt`,
        );
  if (flags.cluster !== undefined && !/^local:[1-9]\d*$/.test(flags.cluster))
    throw new UsageError(`--cluster ${flags.cluster} is not local:N; write e.g. --cluster local:2`);
}

function readPem(flag: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`${flag} ${file} cannot be read: ${(e as Error).message}`);
  }
}

function count(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a whole number ≥ 0; pass e.g. 2`);
  return n;
}

/** Informational lines about where the run goes (printed unless the log level hides INFO). */
export type Announce = (line: string) => void;

/**
 * Turns the command line's choice into an execution, importing only the modules that choice
 * needs; SIGINT/SIGTERM cancel the run cleanly. Call `checkExecutionFlags` first.
 */
export async function chooseExecution(
  flags: ExecutionFlags,
  announce: Announce,
): Promise<Execution> {
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort(new Error("interrupted"));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const owned: unknown[] = []; // closed last-made first
  const close = async () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await closeAll(owned.reverse());
  };
  try {
    if (flags.gateway !== undefined && flags.clusterName === undefined) {
      const environment = await gatewayEnvironment(flags);
      owned.push(environment);
      return {
        run: (flow, options) => environment.run(flow, { ...options, signal: interrupt.signal }),
        close,
      };
    }
    const executor = await clusterExecutor(flags, announce, owned);
    return {
      run: (flow, options) => flow.run({ ...options, executor, signal: interrupt.signal }),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

async function gatewayEnvironment(flags: ExecutionFlags) {
  const [{ GatewayEnvironment }, { gatewayAuth }] = await Promise.all([
    import("../environments/index.ts"),
    import("./gateway-from.ts"),
  ]);
  return new GatewayEnvironment({
    gatewayAddress: flags.gateway!,
    auth: gatewayAuth(flags),
    adaptiveMinWorkers: count("--min-workers", flags.minWorkers),
    adaptiveMaxWorkers: count("--max-workers", flags.maxWorkers),
    leaseTtl: count("--lease-ttl", flags.leaseTtl),
  });
}

/** The executor for --cluster, --address or --gateway with --cluster-name; else the local one. */
async function clusterExecutor(
  flags: ExecutionFlags,
  announce: Announce,
  owned: unknown[],
): Promise<Executor | undefined> {
  if (flags.executor === "local") {
    const { LocalExecutor } = await import("../executors/index.ts");
    return new LocalExecutor();
  }
  if (flags.cluster === undefined && flags.address === undefined && flags.clusterName === undefined)
    return undefined; // the flow's own environment, else LocalExecutor
  const { ClusterExecutor } = await import("../executors/index.ts");
  if (flags.cluster !== undefined) {
    const { LocalCluster } = await import("../cluster/index.ts");
    const cluster = await LocalCluster({ workers: Number(flags.cluster.slice("local:".length)) });
    owned.push(cluster);
    announce(
      `Cluster created. Scheduler address: ${cluster.address} Dashboard: ${cluster.dashboardLink}`,
    );
    const executor = new ClusterExecutor({ address: cluster.address, security: cluster.security });
    owned.push(executor);
    return executor;
  }
  if (flags.clusterName !== undefined) {
    const { gatewayFrom } = await import("./gateway-from.ts");
    const cluster = await gatewayFrom(flags).connect(flags.clusterName, { shutdownOnClose: false });
    owned.push(cluster);
    announce(
      `Connected to cluster ${cluster.name}. Scheduler address: ${cluster.schedulerAddress} Dashboard: ${cluster.dashboardLink}`,
    );
    const workers = await cluster.workerCounts();
    if (workers.target === 0 && workers.running === 0)
      announce(
        `Cluster ${cluster.name} has no workers: tasks wait until it has some (flowgate clusters scale ${cluster.name} N, or clusters adapt ${cluster.name})`,
      );
    const executor = new ClusterExecutor({
      address: cluster.schedulerAddress,
      security: cluster.security,
    });
    owned.push(executor);
    return executor;
  }
  const tlsCert = readPem("--tls-cert", flags.tlsCert);
  const tlsKey = readPem("--tls-key", flags.tlsKey);
  if ((tlsCert === undefined) !== (tlsKey === undefined))
    throw new UsageError("--tls-cert and --tls-key go together; pass both or neither");
  const executor = new ClusterExecutor({
    address: flags.address!,
    security:
      tlsCert && tlsKey ? { tlsCert, tlsKey, tlsCa: readPem("--tls-ca", flags.tlsCa) } : undefined,
  });
  owned.push(executor);
  return executor;
}
