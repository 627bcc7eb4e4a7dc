import { type Executor, LocalExecutor } from "../executors/index.ts";
import type {
  Flow,
  FlowEnvironment,
  PreparedRun,
  FlowRunOptions,
  FlowRunResult,
} from "../flow/index.ts";

export interface LocalEnvironmentOptions {
  /** @default new LocalExecutor() */
  readonly executor?: Executor;
}

/** Runs each flow run in this process on the given executor. */
export class LocalEnvironment implements FlowEnvironment {
  readonly description: string;
  private readonly executor: Executor;

  constructor(options: LocalEnvironmentOptions = {}) {
    this.executor = options.executor ?? new LocalExecutor();
    this.description = `LocalEnvironment(${this.executor.description})`;
  }

  /** Runs `flow` once through this environment (as `flow.run({ ...options, environment })`). */
  run<O>(flow: Flow<O>, options: FlowRunOptions = {}): Promise<FlowRunResult<O>> {
    return flow.run({ ...options, environment: this });
  }

  execute<O>(run: PreparedRun<O>): Promise<FlowRunResult<O>> {
    run.place({ executor: this.executor.description });
    return run.execute(this.executor);
  }
}
