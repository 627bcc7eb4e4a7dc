import { FlowDefinitionError } from "./errors.ts";
import { FlowBuilder, type BuiltGraph } from "./flow-builder.ts";
import type { FlowEnvironment, FlowRunOptions } from "./flow-environment.ts";
import { FlowRunResult } from "./flow-run-result.ts";
import { prepareRun } from "./flow-runner.ts";
import type { FlowOutputs } from "./ref.ts";
import { inWorkerMode } from "../shipping/index.ts";
import { neverSettles, onClusterWorker } from "../shipping/internal.ts";
import { callerFile } from "./caller-file.ts";
import type { FlowRegisterOptions, FlowRegistration } from "./flow-registration.ts";

export interface FlowOptions {
  /** Where runs execute when `run()` gets no executor. @default LocalExecutor in this process */
  readonly environment?: FlowEnvironment;
}

const flowsByName = new Map<string, Flow<unknown>>();
const flowWaiters = new Map<string, (() => void)[]>();

/**
 * A named graph of tasks. `build` runs once, lazily: calling tasks inside it wires the graph;
 * what it returns (a task result or an object of them) becomes the run result's `outputs`.
 */
export class Flow<O = void> {
  readonly name: string;
  readonly options: FlowOptions;
  /** The file that constructed this flow; executors ship it to cluster workers. */
  readonly sourceFile: string | undefined;
  private readonly buildFn: () => O;
  private built: BuiltGraph | undefined;

  constructor(name: string, build: () => O);
  constructor(name: string, options: FlowOptions, build: () => O);
  constructor(name: string, a: FlowOptions | (() => O), b?: () => O) {
    if (typeof name !== "string" || name.trim() === "")
      throw new FlowDefinitionError(`a flow needs a non-empty name, got ${JSON.stringify(name)}`);
    const build = typeof a === "function" ? a : b;
    if (typeof build !== "function")
      throw new FlowDefinitionError(
        `flow '${name}' needs a build function: new Flow(name, options?, () => { … })`,
      );
    this.name = name;
    this.options = typeof a === "function" ? {} : a;
    this.buildFn = build;
    this.sourceFile = callerFile();
    flowsByName.set(name, this as Flow<unknown>);
    for (const w of flowWaiters.get(name) ?? []) w();
    flowWaiters.delete(name);
  }

  /** The built graph; building throws FlowDefinitionError for a malformed flow. */
  get graph(): BuiltGraph {
    return (this.built ??= FlowBuilder.build(this.name, this.buildFn as () => FlowOutputs));
  }

  /**
   * Runs the flow: on `options.executor` if given, else through `options.environment` or the
   * flow's environment, else with a LocalExecutor. Rejects with ParameterError before any task
   * runs for bad parameters.
   */
  async run(options: FlowRunOptions = {}): Promise<FlowRunResult<O>> {
    if (inWorkerMode())
      return onClusterWorker() ? Promise.resolve(notRunResult(this)) : neverSettles();
    const run = prepareRun<O>(this, options);
    const environment = options.executor
      ? undefined
      : (options.environment ?? this.options.environment);
    return environment ? environment.execute(run) : run.execute(options.executor);
  }

  /**
   * Registers the flow with a flowgate server: stores its bundle (or image storage), graph,
   * environment options and labels; a new version only when the bundle's hash changed. Rejects
   * with the server client's errors, or RegistrationError for a flow with no file to bundle.
   */
  async register(options: FlowRegisterOptions): Promise<FlowRegistration> {
    // Loaded only when used: a flow file, imported on every worker, stays free of server code.
    const { registerFlow } = await import("../agent/index.ts");
    return registerFlow(this as Flow<unknown>, options);
  }
}

/** The flow constructed last in this realm (for a flow file that does not export its flow). */
export function lastConstructedFlow(): Flow<unknown> | undefined {
  return [...flowsByName.values()].at(-1);
}

/** The flow of this name constructed in this realm, once it is (for cluster workers). */
export function waitForFlow(name: string): Promise<Flow<unknown>> {
  const f = flowsByName.get(name);
  if (f) return Promise.resolve(f);
  return new Promise((resolve) => {
    const list = flowWaiters.get(name) ?? [];
    list.push(() => resolve(flowsByName.get(name)!));
    flowWaiters.set(name, list);
  });
}

/**
 * What `flow.run()` gives on a cluster worker, where it does nothing: state Cancelled, every
 * task Pending, no values. So a script's code after a run is reached there too.
 */
function notRunResult<O>(flow: Flow<O>): FlowRunResult<O> {
  const graph = flow.graph;
  return new FlowRunResult<O>(
    flow.name,
    "not-run-on-worker",
    {
      type: "Cancelled",
      message: `flow '${flow.name}' is not run on a cluster worker: there its file is only loaded to find its tasks`,
    },
    graph,
    graph.spec.nodes.map(() => ({ state: "Pending", attempts: 0, width: -1 })),
    new Map(),
    [],
    "none (cluster worker)",
  );
}
