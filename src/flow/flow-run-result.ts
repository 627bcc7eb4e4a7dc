import { type LogRecord, type GraphSnapshot, type StateType, isFailed } from "../graph/index.ts";
import { ResultLookupError } from "./errors.ts";
import type { BuiltGraph } from "./flow-builder.ts";
import { RefImpl } from "./flow-builder.ts";
import type { OutputValues, Ref } from "./ref.ts";
import { taskStateOf, type TaskState } from "./task-state.ts";

export interface FlowState {
  readonly type: StateType;
  readonly message: string;
}

/** Facts an environment adds about where the run happened. */
export interface RunPlacement {
  readonly executor: string;
  readonly cluster?: {
    readonly name: string;
    readonly schedulerAddress: string;
    readonly dashboardLink?: string;
    /** Why the cluster stopped (the gateway's reason), once it has. */
    readonly stopReason?: string;
  };
}

/** What a run used on its cluster. */
export interface RunCost {
  /** Seconds of running workers, summed over the cluster's workers while the run had it. */
  readonly workerSeconds: number;
  /** Seconds task runs took on workers, summed over every task run; null when unknown. */
  readonly taskSeconds: number | null;
}

/** What `flow.run()` returns: the flow's state, every task's state, values and logs. */
export class FlowRunResult<O = unknown> {
  readonly outputs: OutputValues<O>;
  placement: RunPlacement;
  /** The output of the run's cluster processes (scheduler and workers), when it ran on one. */
  clusterLogs: string | undefined;
  /** What the run used, when it ran on a cluster of its own. */
  cost: RunCost | undefined;

  constructor(
    readonly flowName: string,
    readonly flowRunId: string,
    readonly state: FlowState,
    private readonly graph: BuiltGraph,
    private readonly snapshot: GraphSnapshot,
    private readonly results: ReadonlyMap<number, unknown>,
    readonly logs: LogRecord[],
    executor: string,
  ) {
    this.placement = { executor };
    this.outputs = this.resolveOutputs();
  }

  /** The value a task returned (for a mapped task: the list of its children's values). */
  get<T>(ref: Ref<T>): T;
  get(name: string): unknown;
  get(refOrName: Ref<unknown> | string): unknown {
    const node = this.nodeOf(refOrName);
    const state = this.snapshot[node]!;
    const name = this.graph.spec.nodes[node]!.id;
    if (isFailed(state.state) || state.state === "Pending" || state.state === "Skipped")
      throw new ResultLookupError(
        `task '${name}' ended ${state.state}${state.detail ? `: ${state.detail.message}` : ""}; it has no result`,
      );
    if (!this.results.has(node))
      throw new ResultLookupError(
        `the result of task '${name}' was not kept; run with keepResults: "all" or return it from the build function`,
      );
    return this.results.get(node);
  }

  taskState<T>(ref: Ref<T>): TaskState<T>;
  taskState(name: string): TaskState;
  taskState(refOrName: Ref<unknown> | string): TaskState {
    const node = this.nodeOf(refOrName);
    return taskStateOf(this.snapshot[node]!, this.results.get(node), this.results.has(node));
  }

  /** Every task run's state by name, in graph order (constant map inputs left out). */
  taskStates(): Map<string, TaskState> {
    const out = new Map<string, TaskState>();
    this.graph.spec.nodes.forEach((spec, i) => {
      if (spec.constant && !this.graph.parameters.some((p) => p.node === i)) return;
      out.set(spec.id, this.taskState(spec.id));
    });
    return out;
  }

  private nodeOf(refOrName: Ref<unknown> | string): number {
    const node =
      typeof refOrName === "string"
        ? this.graph.byName.get(refOrName)
        : this.graph.nodeOf(refOrName);
    if (node === undefined)
      throw new ResultLookupError(
        typeof refOrName === "string"
          ? `flow '${this.flowName}' has no task named '${refOrName}'; its tasks are ${[...this.graph.byName.keys()].join(", ")}`
          : `${String(refOrName)} is not a task of flow '${this.flowName}'`,
      );
    return node;
  }

  private resolveOutputs(): OutputValues<O> {
    const out = this.graph.outputs;
    const value = (r: Ref<unknown>) => {
      const node = this.graph.nodeOf(r)!;
      return this.snapshot[node]!.state === "Success" || this.snapshot[node]!.state === "Mapped"
        ? this.results.get(node)
        : undefined;
    };
    if (out === undefined) return undefined as OutputValues<O>;
    if (out instanceof RefImpl) return value(out) as OutputValues<O>;
    return Object.fromEntries(
      Object.entries(out as Record<string, Ref<unknown>>).map(([k, r]) => [k, value(r)]),
    ) as OutputValues<O>;
  }
}
