import type { Flow } from "../flow/flow.ts";
import { inWorkerMode } from "../shipping/worker-mode.ts";
import type { FlowEnvironment } from "../flow/flow-environment.ts";
import type { FlowRunOptions } from "../flow/flow-run-options.ts";
import type { FlowRunResult } from "../flow/flow-run-result.ts";
import { logPrinter } from "../flow/logging.ts";
import { resolveParameters } from "../flow/resolve-parameters.ts";
import type { GatewayCluster } from "../gateway/client/index.ts";
import type { LogLevel, LogRecord } from "../graph/log-record.ts";
import { EnvironmentCallbackError } from "./errors.ts";
import {
  resolveSizing,
  type ClusterPlan,
  type GatewayEnvironmentOptions,
} from "./gateway-environment-options.ts";
import { watchScaling } from "./watch-scaling.ts";
import { onTerminationSignal } from "./termination-signal.ts";
import { loadClusterExecutor, loadGatewayClient } from "./lazy-imports.ts";

/**
 * Runs every flow run on its own cluster from a flowgate gateway: onStart → onExecute → create
 * the cluster → adapt or scale → run on its workers → shut the cluster down (after success,
 * failure, an exception, cancellation, SIGINT or SIGTERM) → onExit. If this process is killed
 * outright, the gateway stops the cluster when the client lease runs out.
 */
export class GatewayEnvironment implements FlowEnvironment {
  readonly description = "GatewayEnvironment";

  constructor(readonly options: GatewayEnvironmentOptions = {}) {
    // Fail at construction for options that can never work, not at the first run.
    resolveSizing(this.initialPlan());
  }

  async run<O>(flow: Flow<O>, runOptions: FlowRunOptions): Promise<FlowRunResult<O>> {
    // In a module loaded on a worker this creates no cluster: flow.run() is inert there.
    if (inWorkerMode()) return flow.run(runOptions);
    const o = this.options;
    // Until the run has a result, records collect here; then they go to the result's logs.
    const records: { list: LogRecord[] } = { list: [] };
    const print = logPrinter(runOptions.printLogs);
    const log = (level: LogLevel, message: string) => {
      const r = {
        time: Date.now(),
        level,
        name: "flowgate.GatewayEnvironment",
        message,
        flowRunId: "",
      };
      records.list.push(r);
      runOptions.onLog?.(r);
      print(r);
    };
    const parameters = resolveParameters(flow.name, flow.graph, runOptions.parameters ?? {});
    await callback("onStart", () => o.onStart?.());
    try {
      const plan = this.initialPlan();
      if (o.onExecute) {
        const changed = await callback("onExecute", () => o.onExecute!(parameters, plan));
        if (changed) Object.assign(plan, changed);
      }
      const sizing = resolveSizing(plan);
      if (sizing.warning) log("WARNING", sizing.warning);
      const { Gateway } = await loadGatewayClient();
      const gateway = new Gateway({ address: o.gatewayAddress, auth: o.auth });
      log("INFO", `Creating a cluster on the gateway at ${gateway.address}…`);
      const cluster = await gateway.newCluster({
        clusterOptions: plan.clusterOptions,
        shutdownOnClose: true,
        leaseTtl: o.leaseTtl,
      });
      log(
        "INFO",
        `Cluster created. Scheduler address: ${cluster.schedulerAddress} Dashboard: ${cluster.dashboardLink}`,
      );
      return await this.runOnCluster(flow, runOptions, cluster, sizing, log, records);
    } finally {
      await callback("onExit", () => o.onExit?.());
    }
  }

  private async runOnCluster<O>(
    flow: Flow<O>,
    runOptions: FlowRunOptions,
    cluster: GatewayCluster,
    sizing: ReturnType<typeof resolveSizing>,
    log: (level: LogLevel, message: string) => void,
    records: { list: LogRecord[] },
  ): Promise<FlowRunResult<O>> {
    const cancel = new AbortController();
    const outer = runOptions.signal;
    const onOuterAbort = () => cancel.abort(outer?.reason);
    outer?.addEventListener("abort", onOuterAbort, { once: true });
    const signals = onTerminationSignal((signal) => {
      log(
        "WARNING",
        `Received ${signal}: cancelling the run and stopping cluster ${cluster.name}…`,
      );
      cancel.abort(new Error(`received ${signal}`));
    });
    const stopWatching = watchScaling(cluster, log);
    let failed = true;
    try {
      if (sizing.mode === "fixed") {
        log("INFO", `Scaling cluster ${cluster.name} to ${sizing.minimum} workers…`);
        await cluster.scale(sizing.minimum);
      } else {
        log(
          "INFO",
          `Adaptive scaling of cluster ${cluster.name} between ${sizing.minimum} and ${sizing.maximum} workers…`,
        );
        await cluster.adapt({ minimum: sizing.minimum, maximum: sizing.maximum });
      }
      const ClusterExecutor = await loadClusterExecutor();
      const executor = new ClusterExecutor({
        address: cluster.schedulerAddress,
        security: cluster.security,
        ...this.options.executorOptions,
      });
      const result = await flow
        .run({ ...runOptions, executor, signal: cancel.signal })
        .finally(() => executor.close());
      failed = result.state.type !== "Success";
      result.logs.unshift(...records.list);
      records.list = result.logs;
      result.placement = {
        executor: executor.description,
        cluster: {
          name: cluster.name,
          schedulerAddress: cluster.schedulerAddress,
          dashboardLink: cluster.dashboardLink,
        },
      };
      result.clusterLogs = await cluster
        .logs()
        .catch((e: unknown) => `(cluster logs unavailable: ${String(e)})`);
      return result;
    } finally {
      stopWatching();
      outer?.removeEventListener("abort", onOuterAbort);
      if (failed && this.options.keepClusterOnError) {
        log(
          "WARNING",
          `Keeping cluster ${cluster.name} after the failed run (keepClusterOnError); stop it with: flowgate clusters stop ${cluster.name}`,
        );
        await cluster.close({ shutdown: false });
      } else {
        log("INFO", `Stopping cluster ${cluster.name}…`);
        await cluster.shutdown();
        const status = await stoppedStatus(cluster);
        log(
          status === "STOPPED" ? "INFO" : "WARNING",
          status === "STOPPED"
            ? `Cluster ${cluster.name} stopped.`
            : `Cluster ${cluster.name} is ${status} after the stop request; the gateway goes on stopping it`,
        );
      }
      signals.release();
    }
  }

  private initialPlan(): ClusterPlan {
    const o = this.options;
    return {
      clusterOptions: { ...o.clusterOptions, ...(o.image === undefined ? {} : { image: o.image }) },
      adaptiveMinWorkers: o.adaptiveMinWorkers,
      adaptiveMaxWorkers: o.adaptiveMaxWorkers,
      workers: o.workers,
    };
  }
}

/** Waits (up to 10 s) until the gateway reports the cluster STOPPED or FAILED; returns the status. */
async function stoppedStatus(cluster: GatewayCluster): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { status } = await cluster.refresh().catch(() => ({ status: "UNKNOWN" }));
    if (status === "STOPPED" || status === "FAILED" || Date.now() > deadline) return status;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function callback<T>(
  name: "onStart" | "onExecute" | "onExit",
  fn: () => T | Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new EnvironmentCallbackError(name, e);
  }
}
