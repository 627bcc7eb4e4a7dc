import type { Flow } from "./flow.ts";
import type { FlowRunOptions } from "./flow-run-options.ts";
import type { FlowRunResult } from "./flow-run-result.ts";

/**
 * Where a flow's runs execute when no executor is passed to `flow.run()`: an environment
 * provides an executor (and whatever it runs on) around one run.
 */
export interface FlowEnvironment {
  readonly description: string;
  run<O>(flow: Flow<O>, options: FlowRunOptions): Promise<FlowRunResult<O>>;
}
