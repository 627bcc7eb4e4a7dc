import type {
  Flow,
  FlowEnvironment,
  PreparedRun,
  FlowRunOptions,
  FlowRunResult,
} from "../flow/index.ts";
import type { GatewayCluster } from "../gateway/client/index.ts";
import type { LogLevel } from "../graph/index.ts";
import { EnvironmentCallbackError } from "./errors.ts";
import { clusterCost, failedClusterError } from "./cluster-outcome.ts";
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

  /** Runs `flow` once through this environment (as `flow.run({ ...options, environment })`). */
  run<O>(flow: Flow<O>, options: FlowRunOptions = {}): Promise<FlowRunResult<O>> {
    return flow.run({ ...options, environment: this });
  }

  async execute<O>(run: PreparedRun<O>): Promise<FlowRunResult<O>> {
    const o = this.options;
    const log = (level: LogLevel, message: string) =>
      run.log(level, "flowgate.GatewayEnvironment", message);
    await callback("onStart", () => o.onStart?.());
    try {
      const plan = this.initialPlan();
      if (o.onExecute) {
        const changed = await callback("onExecute", () => o.onExecute!(run.parameters, plan));
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
      return await this.runOnCluster(run, cluster, sizing, log);
    } finally {
      await callback("onExit", () => o.onExit?.());
    }
  }

  private async runOnCluster<O>(
    run: PreparedRun<O>,
    cluster: GatewayCluster,
    sizing: ReturnType<typeof resolveSizing>,
    log: (level: LogLevel, message: string) => void,
  ): Promise<FlowRunResult<O>> {
    const cancel = new AbortController();
    const outer = run.options.signal;
    const onOuterAbort = () => cancel.abort(outer?.reason);
    outer?.addEventListener("abort", onOuterAbort, { once: true });
    if (outer?.aborted) onOuterAbort();
    const signals = onTerminationSignal((signal) => {
      log(
        "WARNING",
        `Received ${signal}: cancelling the run and stopping cluster ${cluster.name}…`,
      );
      cancel.abort(new Error(`received ${signal}`));
    });
    const scaling = watchScaling(cluster, log);
    const where = {
      name: cluster.name,
      schedulerAddress: cluster.schedulerAddress,
      dashboardLink: cluster.dashboardLink,
    };
    let result: FlowRunResult<O> | undefined;
    try {
      const ClusterExecutor = await loadClusterExecutor();
      const executor = new ClusterExecutor({
        address: cluster.schedulerAddress,
        security: cluster.security,
        ...this.options.executorOptions,
      });
      run.place({ executor: executor.description, cluster: where });
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
      result = await run
        .execute(executor, cancel.signal)
        .catch(async (e: unknown) => {
          throw await failedClusterError(cluster, e);
        })
        .finally(() => executor.close());
      result.placement = { executor: executor.description, cluster: where };
      result.clusterLogs = await cluster
        .logs()
        .catch((e: unknown) => `(cluster logs unavailable: ${String(e)})`);
      // The scheduler's count is exact; sampling the gateway misses a run shorter than a sample.
      const cost = await clusterCost(cluster);
      result.cost = {
        workerSeconds: cost.workerSeconds ?? scaling.workerSeconds(),
        taskSeconds: cost.taskSeconds,
      };
      return result;
    } finally {
      scaling.stop();
      outer?.removeEventListener("abort", onOuterAbort);
      if (result?.state.type !== "Success" && this.options.keepClusterOnError) {
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
        const stopReason = cluster.report.stopReason ?? undefined;
        if (result && stopReason)
          result.placement = { ...result.placement, cluster: { ...where, stopReason } };
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
