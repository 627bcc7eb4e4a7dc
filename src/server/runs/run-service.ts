import type { RunCluster, RunState } from "../api/index.ts";
import { finishedStates } from "../api/index.ts";
import { ConflictError } from "../errors.ts";
import type { EventHub } from "../events/event-hub.ts";
import type { RunRow } from "../store/rows.ts";
import type { TransitionExtras } from "../store/run-store.ts";
import type { SqlDriver } from "../store/sql-driver.ts";
import type { Store } from "../store/store.ts";
import type { WebhookDispatcher } from "../webhooks/webhook-dispatcher.ts";
import type { ClusterStopper } from "./cluster-stopper.ts";
import { allowedFrom } from "./run-transitions.ts";

/** A server log line (pairs: "…" when starting, past tense when done). */
export type ServerLog = (level: "info" | "warn", message: string) => void;

/**
 * Every run state change goes through here: the table in run-transitions.ts decides, the store
 * applies it atomically, and then listeners (SSE, long polls), webhooks and — for a Crashed or
 * Cancelled run that still has a cluster — the gateway are told.
 */
export class RunService {
  #closed = false;

  constructor(
    private readonly store: Store,
    private readonly hub: EventHub,
    private readonly webhooks: WebhookDispatcher,
    private readonly stopper: ClusterStopper,
    private readonly log: ServerLog,
  ) {}

  /** Changes the run's state; ConflictError (409) when its current state does not allow it. */
  async transition(
    id: number,
    to: RunState,
    x: TransitionExtras = {},
    now = Date.now(),
  ): Promise<RunRow> {
    const done = await this.store.runs.transition(id, allowedFrom[to], to, x, now);
    if (!done) {
      const cur = await this.store.runs.get(id);
      throw new ConflictError(
        `run ${id} is ${cur?.state ?? "unknown"}, which cannot become ${to}; allowed from: ${allowedFrom[to].join(", ") || "nothing"}`,
      );
    }
    await this.changed(done.run, done.previous, now);
    return done.run;
  }

  /** Like transition() but inside a caller's transaction; call changed() after the commit. */
  async transitionIn(tx: SqlDriver, id: number, to: RunState, x: TransitionExtras, now: number) {
    return this.store.runs.transition(id, allowedFrom[to], to, x, now, tx);
  }

  /** Tells everyone about a state change that has been committed. */
  async changed(run: RunRow, previous: RunState | null, now: number): Promise<void> {
    if (RunService.finished(run.state) && previous && !RunService.finished(previous))
      await this.store.tasks
        .settleUnfinished(run.id, run.state, now)
        .catch((e: Error) =>
          this.log("warn", `ending run ${run.id}'s task runs failed: ${e.message}`),
        );
    this.hub.changed(run.id);
    if (
      run.state === "Cancelling" ||
      (previous && ["Submitted", "Running", "Cancelling"].includes(previous))
    )
      this.hub.ready();
    await this.webhooks
      .onState(run, previous, now)
      .catch((e: Error) => this.log("warn", `webhook enqueue failed: ${e.message}`));
    if ((run.state === "Crashed" || run.state === "Cancelled") && run.cluster) {
      const c = JSON.parse(run.cluster) as RunCluster;
      if (c.status !== "STOPPED" && c.status !== "FAILED") void this.stopCluster(run.id, c);
    }
  }

  /** Stops the run's cluster through the gateway and records it on the run. */
  async stopCluster(runId: number, c: RunCluster): Promise<void> {
    this.log("info", `Stopping cluster ${c.name} of run ${runId}…`);
    const error = await this.stopper.stop(c);
    if (error) {
      this.log("warn", `Could not stop cluster ${c.name} of run ${runId}: ${error}`);
      return;
    }
    // record the final status once the gateway has stopped it (up to 60 s)
    let report = await this.stopper.status(c);
    for (let i = 0; i < 120 && report?.status === "STOPPING" && !this.#closed; i++) {
      await new Promise((r) => setTimeout(r, 500));
      report = await this.stopper.status(c);
    }
    const cluster: RunCluster = {
      ...c,
      status: report?.status ?? "STOPPING",
      stopReason: report?.stopReason ?? c.stopReason ?? "stopped by the server",
    };
    if (this.#closed) return;
    await this.store.runs.setJson(runId, "cluster", cluster, Date.now());
    this.hub.changed(runId);
    this.log("info", `Stopped cluster ${c.name} of run ${runId}`);
  }

  /** Stops waiting for clusters to stop (server shutdown). */
  close(): void {
    this.#closed = true;
  }

  /** Whether a state is final. */
  static finished(s: RunState): boolean {
    return finishedStates.includes(s);
  }
}
