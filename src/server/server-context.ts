import { AgentReaper } from "./agents/agent-reaper.ts";
import { ClaimService } from "./agents/claim-service.ts";
import { LabelWarnings } from "./agents/label-warning.ts";
import type { Run } from "./api/index.ts";
import { ForbiddenError, NotFoundError } from "./errors.ts";
import { EventHub } from "./events/event-hub.ts";
import { ClusterStopper } from "./runs/cluster-stopper.ts";
import { RunService } from "./runs/run-service.ts";
import { ScheduleLoop } from "./scheduling/schedule-loop.ts";
import { ServerAuth } from "./server-auth.ts";
import type { ResolvedServerOptions } from "./server-options.ts";
import { toRun, type RunRow, type Viewer } from "./store/rows.ts";
import type { Store } from "./store/store.ts";
import { WebhookDispatcher } from "./webhooks/webhook-dispatcher.ts";

/** Everything the routes use: the store and the services around it. */
export class ServerContext {
  readonly auth: ServerAuth;
  readonly hub: EventHub;
  readonly webhooks: WebhookDispatcher;
  readonly runs: RunService;
  readonly claims: ClaimService;
  readonly warnings: LabelWarnings;
  readonly reaper: AgentReaper;
  readonly schedules: ScheduleLoop;

  constructor(
    readonly store: Store,
    readonly options: ResolvedServerOptions,
  ) {
    this.auth = new ServerAuth(options.auth);
    this.hub = new EventHub(store.db);
    this.webhooks = new WebhookDispatcher(store, options.webhooks);
    const stopper = new ClusterStopper(options.gatewayAuth, options.gateway);
    this.runs = new RunService(store, this.hub, this.webhooks, stopper, options.log);
    this.claims = new ClaimService(store, this.hub, this.runs, options.heartbeatMs);
    this.warnings = new LabelWarnings(store, options.agentTimeoutMs);
    this.reaper = new AgentReaper(
      store,
      this.runs,
      stopper,
      options.agentTimeoutMs,
      options.clusterCheckMs,
      options.log,
    );
    this.schedules = new ScheduleLoop(
      store,
      this.runs,
      this.hub,
      options.scheduleAhead,
      options.schedulePeriodMs,
      options.log,
    );
  }

  /** Starts the background loops (heartbeat expiry, schedules, webhook sender). */
  async start(): Promise<void> {
    await this.hub.start();
    this.reaper.start();
    this.schedules.start();
    this.webhooks.start();
  }

  stop(): void {
    this.reaper.stop();
    this.schedules.stop();
    this.webhooks.stop();
    this.runs.close();
    this.hub.close();
  }

  /** The run if the viewer may see it: 404 when unknown, 403 when someone else's. */
  async visibleRun(viewer: Viewer, id: number): Promise<RunRow> {
    const r = await this.store.runs.get(id);
    if (!r) throw new NotFoundError("run", String(id));
    if (!viewer.admin && r.user_name !== viewer.name) {
      // the agent that holds the run may act on it for its owner
      const a = r.agent_id !== null ? await this.store.agents.get(r.agent_id) : undefined;
      if (a?.user_name !== viewer.name)
        throw new ForbiddenError(
          `run ${id} belongs to ${JSON.stringify(r.user_name)}; you are ${JSON.stringify(viewer.name)}`,
        );
    }
    return r;
  }

  /** API runs with their label warnings. */
  async present(rows: RunRow[]): Promise<Run[]> {
    return this.warnings.annotate(rows.map(toRun));
  }
}
