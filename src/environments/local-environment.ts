import type { Executor } from "../executors/executor.ts";
import { LocalExecutor } from "../executors/local-executor.ts";
import type { Flow } from "../flow/flow.ts";
import type { FlowEnvironment, PreparedRun } from "../flow/flow-environment.ts";
import type { FlowRunOptions } from "../flow/flow-run-options.ts";
import type { FlowRunResult } from "../flow/flow-run-result.ts";

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
