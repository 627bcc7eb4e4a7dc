import { randomUUID } from "node:crypto";
import { LocalExecutor, type Executor } from "../executors/index.ts";
import {
  type LogLevel,
  type LogRecord,
  type GraphSnapshot,
  STATE_CODES,
  isFailed,
  type GraphSpec,
} from "../graph/index.ts";
import type { BuiltGraph } from "./flow-builder.ts";
import { FlowRunResult, type FlowState } from "./flow-run-result.ts";
import type { FlowRunOptions, PreparedRun, RunnableFlow } from "./flow-environment.ts";
import { logPrinter } from "./logging.ts";
import { resolveParameters } from "./resolve-parameters.ts";
import { FlowTaskHost } from "./task-host.ts";
import { RefImpl } from "./flow-builder.ts";

/**
 * The signal of a run nothing can cancel, shared (an AbortController costs more than a no-op
 * task): executors remove the listeners they add to a run's signal when the run ends.
 */
const NOT_CANCELLABLE = new AbortController().signal;

/**
 * Prepares one run of a loaded flow: resolves its parameters (a ParameterError for bad ones,
 * before any task runs), chooses its id and sets up its logging, once.
 */
export function prepareRun<O>(flow: RunnableFlow, options: FlowRunOptions): PreparedRun<O> {
  const parameters = resolveParameters(flow.name, flow.graph, options.parameters ?? {});
  const flowRunId = randomUUID();
  const logs: LogRecord[] = [];
  const print = logPrinter(options.printLogs);
  const onLog = (r: LogRecord) => {
    logs.push(r);
    options.onLog?.(r);
    print(r);
  };
  return {
    flow,
    flowRunId,
    parameters,
    options,
    log: (level, name, message) => onLog({ time: Date.now(), level, name, message, flowRunId }),
    place: (placement) => options.onPlacement?.(placement),
    execute: (executor, signal) =>
      executeRun(flow, options, parameters, flowRunId, logs, onLog, executor, signal),
  };
}

async function executeRun<O>(
  flow: RunnableFlow,
  options: FlowRunOptions,
  parameters: Record<string, unknown>,
  flowRunId: string,
  logs: LogRecord[],
  onLog: (r: LogRecord) => void,
  chosen: Executor | undefined,
  cancel: AbortSignal | undefined,
): Promise<FlowRunResult<O>> {
  const graph = flow.graph;
  const executor = chosen ?? new LocalExecutor();
  const signal = cancel ?? options.signal ?? NOT_CANCELLABLE;
  const log = (level: LogLevel, message: string) =>
    onLog({ time: Date.now(), level, name: "flowgate.FlowRunner", message, flowRunId });

  const spec = withParameters(graph, parameters);
  const reference = referenceNodes(graph);
  const keep = new Set<number>(
    options.keepResults === "outputs" ? [...reference, ...outputNodes(graph)] : spec.nodes.keys(),
  );
  log("INFO", `Beginning flow run for '${flow.name}' on ${executor.description}…`);
  const result = await executor.execute({
    flowRunId,
    flowName: flow.name,
    graph: spec,
    parameters,
    host: new FlowTaskHost(graph.tasks),
    sourceFile: flow.sourceFile,
    keep,
    signal,
    onLog,
    onFirstTaskStarted: options.onFirstTaskStarted,
    onProgress: options.onProgress,
    onTaskRuns: options.onTaskRuns,
  });
  const state = finalState(result.snapshot, reference, signal.aborted);
  log(
    state.type === "Success" ? "INFO" : "ERROR",
    `Flow run ${state.type.toUpperCase()}: ${state.message}`,
  );
  return new FlowRunResult<O>(
    flow.name,
    flowRunId,
    state,
    graph,
    result.snapshot,
    result.results,
    logs,
    executor.description,
  );
}

/** The graph with the parameters' values as constants; the built graph itself when it has none. */
function withParameters(graph: BuiltGraph, values: Record<string, unknown>): GraphSpec {
  if (graph.parameters.length === 0) return graph.spec;
  const nodes = [...graph.spec.nodes];
  for (const p of graph.parameters)
    nodes[p.node] = { ...nodes[p.node]!, constant: { value: values[p.name] } };
  return { nodes };
}

/** The configured reference tasks, else the terminal tasks (those nothing depends on). */
function referenceNodes(graph: BuiltGraph): number[] {
  if (graph.referenceTasks) return [...graph.referenceTasks];
  const hasDownstream = new Set<number>();
  for (const n of graph.spec.nodes) {
    for (const a of n.args) if (a.kind === "ref") hasDownstream.add(a.node);
    for (const u of n.upstream) hasDownstream.add(u);
  }
  return [...graph.spec.nodes.keys()].filter((i) => !hasDownstream.has(i));
}

function outputNodes(graph: BuiltGraph): number[] {
  const out = graph.outputs;
  if (out === undefined) return [];
  const refs = out instanceof RefImpl ? [out] : Object.values(out as Record<string, RefImpl>);
  return refs.map((r) => graph.nodeOf(r)!);
}

function finalState(snapshot: GraphSnapshot, reference: number[], cancelled: boolean): FlowState {
  const failed: number[] = [];
  for (const n of reference) {
    const s = snapshot[n]!;
    const childFailed = s.childStates?.some((c) => isFailed(STATE_CODES[c]!)) ?? false;
    if (isFailed(s.state) || childFailed) failed.push(n);
  }
  if (cancelled) return { type: "Cancelled", message: "the flow run was cancelled" };
  if (failed.length > 0) return { type: "Failed", message: "some reference tasks failed" };
  return { type: "Success", message: "all reference tasks succeeded" };
}
