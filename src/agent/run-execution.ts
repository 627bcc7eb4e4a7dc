import { setTimeout as sleep } from "node:timers/promises";
import { ClusterFailedError } from "../environments/errors.ts";
import { ServerUnreachableError } from "../server/errors.ts";
import { GatewayEnvironment, LocalEnvironment } from "../environments/index.ts";
import type { FlowEnvironment, FlowRunResult, RunPlacement, Flow } from "../flow/index.ts";
import type { ClaimedRun, RunCluster } from "../server/api/index.ts";
import type { ServerClient } from "../server/client/index.ts";
import type { ResolvedAgentOptions } from "./agent-options.ts";
import type { FlowLoader } from "./flow-loader.ts";
import { outcomeOfError, outcomeOfResult, type RunOutcome, type StopCause } from "./run-outcome.ts";
import { RunReporter } from "./run-reporter.ts";
import { RunSecrets } from "./secrets/run-secrets.ts";
import type { SecretSource } from "./secrets/secret-source.ts";

const FINISHED = new Set(["Success", "Failed", "Cancelled", "Crashed"]);

/** What a run execution needs from its agent. */
export interface ExecutionContext {
  readonly server: ServerClient;
  readonly agentId: number;
  readonly loader: FlowLoader;
  /** Where the secrets a run's environment names are resolved. */
  readonly secrets: SecretSource;
  readonly options: ResolvedAgentOptions;
  /** The agent's own log line (stderr). */
  readonly note: (message: string) => void;
}

/**
 * One claimed run on this agent: loads its flow, reports Running, executes it through the
 * flow's environment (else the agent's gateway, else this process), streams its logs, task
 * states, cluster and cost, and reports how it ended. `stop()` cancels it: the environment
 * stops the flow and its cluster.
 */
export class RunExecution {
  readonly id: number;
  /** Settles when the run has ended and its end is reported; never rejects. */
  readonly done: Promise<void>;
  readonly #abort = new AbortController();
  #stop: StopCause | undefined;
  #cluster: RunCluster | undefined;
  #secrets = RunSecrets.none;
  #clusterSent: Promise<void> = Promise.resolve();
  /** The worker each task run logged from, for the final task states. */
  readonly #workers = new Map<string, string>();

  constructor(
    private readonly ctx: ExecutionContext,
    private readonly claimed: ClaimedRun,
  ) {
    this.id = claimed.run.id;
    this.done = this.#execute().catch((e: unknown) =>
      ctx.note(`Run ${this.id}: could not report its end: ${String(e)}`),
    );
  }

  /** Cancels the run (on the server's request, or because the agent is stopping). */
  stop(cause: StopCause): void {
    if (this.#stop) return;
    this.#stop = cause;
    this.#abort.abort(new Error(cause === "cancel" ? "cancelled on request" : "agent stopping"));
  }

  async #execute(): Promise<void> {
    const { server, note } = this.ctx;
    const { run, flow: version } = this.claimed;
    const reporter = new RunReporter(server, run.id);
    note(`Run ${run.id}: loading flow '${run.flowName}' v${run.version}…`);
    let flow: Flow<unknown>;
    try {
      flow = await this.ctx.loader.load(version.storage);
      // A secret this agent lacks fails the run here, before Running and before any cluster.
      this.#secrets = RunSecrets.resolve(version.environment, this.ctx.secrets);
    } catch (e) {
      return this.#finish(reporter, outcomeOfError(e, this.#stop));
    }
    if (this.#stop) return this.#finish(reporter, outcomeOfError(undefined, this.#stop));
    try {
      await server.setRunState(run.id, { state: "Running", agentId: this.ctx.agentId });
    } catch (e) {
      // The server may have moved the run on meanwhile (a cancel, or its expiry of this agent).
      const now = await server.getRun(run.id).catch(() => undefined);
      if (now?.state === "Cancelling")
        return this.#finish(reporter, outcomeOfError(undefined, "cancel"));
      note(`Run ${run.id}: not started, the server refused Running: ${String(e)}`);
      return;
    }
    note(`Run ${run.id}: running '${run.flowName}'…`);
    let outcome: RunOutcome;
    let result: FlowRunResult<unknown> | undefined;
    let clusterFailed: ClusterFailedError | undefined;
    try {
      result = await this.#run(flow, reporter);
      outcome = outcomeOfResult(result, this.#stop);
    } catch (e) {
      if (e instanceof ClusterFailedError) clusterFailed = e;
      outcome = outcomeOfError(e, this.#stop);
    }
    if (result) await reporter.finalStates(result.taskStates(), this.#workers);
    await this.#clusterSent;
    if (this.#cluster) {
      const stopReason = clusterFailed?.stopReason ?? result?.placement.cluster?.stopReason;
      // FAILED makes the server end the run Crashed with the gateway's reason.
      await this.#placeCluster({
        ...this.#cluster,
        status: clusterFailed ? "FAILED" : "STOPPED",
        stopReason: stopReason ?? null,
      });
    }
    const cost = result?.cost;
    if (cost && cost.taskSeconds !== null)
      await server
        .setCost(run.id, { workerSeconds: cost.workerSeconds, taskSeconds: cost.taskSeconds })
        .catch((e: unknown) => note(`Run ${run.id}: could not report its cost: ${String(e)}`));
    return this.#finish(reporter, outcome);
  }

  async #run(flow: Flow<unknown>, reporter: RunReporter): Promise<FlowRunResult<unknown>> {
    const { loader, options } = this.ctx;
    const environment =
      this.#secrets.apply(flow.options.environment) ?? this.#fallbackEnvironment();
    // While a flow file imports, flow.run() is suppressed process-wide: start between imports.
    while (loader.importing) await loader.idle();
    return flow.run({
      parameters: this.claimed.run.parameters,
      environment,
      signal: this.#abort.signal,
      printLogs: options.printLogs,
      onLog: (r) => {
        if (r.worker !== undefined && r.task !== undefined)
          this.#workers.set(`${r.task}#${r.mapIndex ?? -1}`, r.worker);
        reporter.log(r);
      },
      onTaskRuns: (updates) => reporter.taskRuns(updates),
      onPlacement: (p) => (this.#clusterSent = this.#onPlacement(p)),
    });
  }

  #fallbackEnvironment(): FlowEnvironment {
    const o = this.ctx.options;
    if (o.gateway === undefined) return new LocalEnvironment();
    return new GatewayEnvironment({
      gatewayAddress: o.gateway,
      auth: o.gatewayAuth,
      adaptiveMinWorkers: 1,
      adaptiveMaxWorkers: 4,
      // A killed agent's cluster is stopped by the gateway this soon, if the server has not.
      leaseTtl: 10,
    });
  }

  async #onPlacement(p: RunPlacement): Promise<void> {
    if (!p.cluster) return;
    this.#cluster = {
      name: p.cluster.name,
      gateway: gatewayOf(p.cluster.schedulerAddress),
      schedulerAddress: p.cluster.schedulerAddress,
      ...(p.cluster.dashboardLink ? { dashboardLink: p.cluster.dashboardLink } : {}),
      status: "RUNNING",
    };
    await this.#placeCluster(this.#cluster);
  }

  async #placeCluster(cluster: RunCluster): Promise<void> {
    await this.ctx.server
      .setCluster(this.id, cluster)
      .catch((e: unknown) =>
        this.ctx.note(`Run ${this.id}: could not report its cluster: ${String(e)}`),
      );
  }

  async #finish(reporter: RunReporter, outcome: RunOutcome): Promise<void> {
    await reporter.flush();
    if (reporter.lastError)
      this.ctx.note(
        `Run ${this.id}: some logs or task states were not stored: ${String(reporter.lastError)}`,
      );
    try {
      await retried(() =>
        this.ctx.server.setRunState(this.id, {
          state: outcome.state,
          reason: outcome.reason,
          agentId: this.ctx.agentId,
          ...(outcome.state === "Success" ? { result: outcome.result } : {}),
        }),
      );
    } catch (e) {
      // The server may have ended the run itself (a failed cluster, an expired agent).
      const now = await this.ctx.server.getRun(this.id).catch(() => undefined);
      if (!now || !FINISHED.has(now.state)) throw e;
      this.ctx.note(`Run ${this.id}: the server had already ended it ${now.state}.`);
      return;
    }
    this.ctx.note(`Run ${this.id}: ${outcome.state} (${outcome.reason}).`);
  }
}

/**
 * Calls `fn` again (after 0.2, 0.4, … 3.2 s) while the server cannot be reached, so that a short
 * outage does not leave a finished run Running; other errors are thrown at once.
 */
async function retried<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof ServerUnreachableError) || attempt >= 4) throw e;
      await sleep(200 * 2 ** attempt);
    }
  }
}

/** The gateway's http(s) address from a scheduler tunnel ws(s)://host/…/clusters/<name>/scheduler. */
function gatewayOf(schedulerAddress: string): string | undefined {
  const m = /^(wss?):\/\/(.+?)\/clusters\/[^/]+\/scheduler$/.exec(schedulerAddress);
  return m ? `${m[1] === "wss" ? "https" : "http"}://${m[2]}` : undefined;
}
