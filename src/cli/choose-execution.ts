import type { Command } from "commander";
import { readFileSync } from "node:fs";
import { LocalCluster } from "../cluster/index.ts";
import { ClusterExecutor } from "../executors/cluster-executor.ts";
import { LocalExecutor } from "../executors/local-executor.ts";
import type { Executor } from "../executors/executor.ts";
import { GatewayEnvironment } from "../environments/gateway-environment.ts";
import type { Flow } from "../flow/flow.ts";
import type { FlowRunOptions } from "../flow/flow-run-options.ts";
import type { FlowRunResult } from "../flow/flow-run-result.ts";
import { BasicAuth, TokenAuth } from "../gateway/client/index.ts";
import { UsageError } from "./usage-error.ts";

export interface ExecutionFlags {
  executor?: string;
  cluster?: string;
  address?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  gateway?: string;
  user?: string;
  password?: string;
  token?: string;
  minWorkers?: string;
  maxWorkers?: string;
  leaseTtl?: string;
}

/** Where a flow runs, chosen on the command line. */
export interface Execution {
  run<O>(flow: Flow<O>, options: FlowRunOptions): Promise<FlowRunResult<O>>;
  close(): Promise<void>;
}

/** Adds the flags that choose where a flow runs. */
export function executionOptions(cmd: Command): Command {
  return cmd
    .option("--executor <name>", "run in this process: local")
    .option("--cluster <local:N>", "run on a new local cluster of N workers, stopped afterwards")
    .option("--address <address>", "run on an existing cluster's scheduler (tls://host:port)")
    .option("--tls-cert <file>", "with --address: the cluster's certificate (PEM)")
    .option("--tls-key <file>", "with --address: its private key (PEM)")
    .option("--tls-ca <file>", "with --address: the cluster's CA (PEM; default: the certificate)")
    .option("--gateway <address>", "run on a new cluster from this gateway (GatewayEnvironment)")
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
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a whole number of workers`);
  return n;
}

/** Turns the command line's choice into an execution; SIGINT/SIGTERM cancel the run cleanly. */
export async function chooseExecution(flags: ExecutionFlags): Promise<Execution> {
  const chosen = ["executor", "cluster", "address", "gateway"].filter(
    (k) => flags[k as keyof ExecutionFlags] !== undefined,
  );
  if (chosen.length > 1)
    throw new UsageError(
      `choose one of --${chosen.join(", --")}; they are different places to run`,
    );
  if (flags.executor !== undefined && flags.executor !== "local")
    throw new UsageError(`--executor ${flags.executor} is not known; use --executor local`);

  if (flags.gateway !== undefined) {
    const auth = flags.token
      ? new TokenAuth(flags.token)
      : flags.user !== undefined || flags.password !== undefined
        ? new BasicAuth(flags.user ?? process.env.USER ?? "flowgate", flags.password)
        : undefined;
    const environment = new GatewayEnvironment({
      gatewayAddress: flags.gateway,
      auth,
      adaptiveMinWorkers: count("--min-workers", flags.minWorkers),
      adaptiveMaxWorkers: count("--max-workers", flags.maxWorkers),
      leaseTtl: count("--lease-ttl", flags.leaseTtl),
    });
    return { run: (flow, options) => environment.run(flow, options), close: async () => {} };
  }

  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort(new Error("interrupted"));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let cleanup = async () => {};
  let executor: Executor | undefined;
  if (flags.cluster !== undefined) {
    const m = /^local:(\d+)$/.exec(flags.cluster);
    if (!m || Number(m[1]) < 1)
      throw new UsageError(
        `--cluster ${flags.cluster} is not local:N; write e.g. --cluster local:2`,
      );
    const cluster = await LocalCluster({ workers: Number(m[1]) });
    executor = new ClusterExecutor({ address: cluster.address, security: cluster.security });
    cleanup = () => cluster.close();
  } else if (flags.address !== undefined) {
    const tlsCert = readPem("--tls-cert", flags.tlsCert);
    const tlsKey = readPem("--tls-key", flags.tlsKey);
    if ((tlsCert === undefined) !== (tlsKey === undefined))
      throw new UsageError("--tls-cert and --tls-key go together; pass both or neither");
    executor = new ClusterExecutor({
      address: flags.address,
      security:
        tlsCert && tlsKey
          ? { tlsCert, tlsKey, tlsCa: readPem("--tls-ca", flags.tlsCa) }
          : undefined,
    });
  } else if (flags.executor === "local") {
    executor = new LocalExecutor();
  }
  return {
    run: (flow, options) => flow.run({ ...options, executor, signal: interrupt.signal }),
    close: async () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await executor?.close?.();
      await cleanup();
    },
  };
}
