import type { ClusterSecurity } from "../cluster/index.ts";
import { loadClusterExecutor } from "./lazy-imports.ts";
import type {
  Flow,
  FlowEnvironment,
  PreparedRun,
  FlowRunOptions,
  FlowRunResult,
} from "../flow/index.ts";

export interface RemoteEnvironmentOptions {
  /** The scheduler: `tls://host:port`, or a gateway tunnel `ws(s)://…/clusters/{name}/scheduler`. */
  readonly address: string;
  readonly security?: ClusterSecurity;
}

/** Runs each flow run on an existing cluster, which it never shuts down. */
export class RemoteEnvironment implements FlowEnvironment {
  readonly description: string;

  constructor(private readonly options: RemoteEnvironmentOptions) {
    this.description = `RemoteEnvironment(${options.address})`;
  }

  /** Runs `flow` once through this environment (as `flow.run({ ...options, environment })`). */
  run<O>(flow: Flow<O>, options: FlowRunOptions = {}): Promise<FlowRunResult<O>> {
    return flow.run({ ...options, environment: this });
  }

  async execute<O>(run: PreparedRun<O>): Promise<FlowRunResult<O>> {
    const ClusterExecutor = await loadClusterExecutor();
    const executor = new ClusterExecutor({
      address: this.options.address,
      security: this.options.security,
    });
    run.place({ executor: executor.description });
    try {
      return await run.execute(executor);
    } finally {
      // The connection is this run's; left open, it would keep the process alive.
      await executor.close();
    }
  }
}
