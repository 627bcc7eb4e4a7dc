import type { LogLevel, GraphSnapshot, GraphSpec } from "../graph/index.ts";
// Single modules, not the cluster barrel: flow files import this (through "flowgate") on every
// worker thread, which should not load the scheduler and worker too.
import {
  ClusterClient,
  encodeValue,
  decodeValue,
  type ClusterSecurity,
  type RunMessage,
} from "../cluster/index.ts";
import { builtBundle, bundleFlow } from "../shipping/index.ts";
import { BundleBuildError } from "../shipping/errors.ts";
import { BundleLoadError, SchedulerLostError, SerializationError } from "../cluster/errors.ts";
import type { ExecutionRequest, ExecutionResult, Executor } from "./executor.ts";
import { endedMessage, retryMessage } from "./ended-message.ts";
import { TaskNotDefinedError } from "./errors.ts";
import { emitUpdates } from "./task-runs-message.ts";
import { FLOW_NOT_CONSTRUCTED } from "../shipping/internal.ts";

export type { ClusterSecurity };

export interface ClusterExecutorOptions {
  /** Scheduler address: tls://host:port, tcp://host:port, ws(s)://host:port/path. */
  readonly address: string;
  /** Cluster credentials; required for tls:// and for TLS inside a ws:// tunnel. */
  readonly security?: ClusterSecurity;
  /** ms to wait for the connection. @default 30000 */
  readonly connectTimeout?: number;
}

/**
 * Runs flow runs on a cluster: bundles the flow's file, ships it to the scheduler once per
 * content hash, submits the whole graph, forwards task logs and gathers the kept results.
 * `execute` rejects with BundleBuildError (no or broken source file), ClusterConnectError,
 * SerializationError (a value that cannot cross the wire, naming the task), BundleLoadError
 * (a worker cannot import the flow) or SchedulerLostError.
 */
export class ClusterExecutor implements Executor, AsyncDisposable {
  readonly description: string;
  private client: Promise<ClusterClient> | undefined;
  /** The client once connected: a run whose bundle it has shipped is submitted without awaiting. */
  private connected: ClusterClient | undefined;

  constructor(private readonly options: ClusterExecutorOptions) {
    this.description = `ClusterExecutor(${options.address})`;
  }

  private connection(): Promise<ClusterClient> {
    if (!this.client) {
      this.client = ClusterClient.connect(
        this.options.address,
        this.options.security,
        this.options.connectTimeout,
      );
      this.client.catch(() => (this.client = undefined));
    }
    return this.client.then((c) => {
      if (!c.closed) return (this.connected = c);
      this.client = this.connected = undefined;
      return this.connection();
    });
  }

  execute(req: ExecutionRequest): Promise<ExecutionResult> {
    try {
      if (req.sourceFile === undefined)
        throw new BundleBuildError(
          `flow '${req.flowName}' has no source file to ship to the cluster; construct the flow in a module file (not in an eval or REPL)`,
        );
      const graph = encodeGraph(req);
      const params = encodeValue(req.parameters);
      // Awaits cost little, but on a cold core each is a few µs of a submit -> result of ~1 ms.
      const bundle = builtBundle(req.sourceFile);
      const c = this.connected;
      if (bundle && c && !c.closed && c.hasBundle(bundle.hash))
        return this.submit(req, c, bundle.hash, graph, params);
      return this.ship(req.sourceFile).then(([client, hash]) =>
        this.submit(req, client, hash, graph, params),
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Connects (once) and makes sure the scheduler has the flow's bundle. */
  private async ship(sourceFile: string): Promise<[ClusterClient, string]> {
    const [bundle, client] = await Promise.all([bundleFlow(sourceFile), this.connection()]);
    await client.shipBundle(bundle.hash, bundle.code);
    return [client, bundle.hash];
  }

  private submit(
    req: ExecutionRequest,
    client: ClusterClient,
    bundle: string,
    graph: Buffer,
    params: Buffer,
  ): Promise<ExecutionResult> {
    return new Promise<ExecutionResult>((resolve, reject) => {
      let ref = 0;
      const onAbort = () => client.cancel(ref);
      const cleanup = () => {
        req.signal.removeEventListener("abort", onAbort);
        client.done(ref);
      };
      const log = (
        level: LogLevel,
        node: number,
        child: number,
        message: string,
        time = Date.now(),
        worker?: string,
      ) =>
        req.onLog({
          time,
          level,
          name: "flowgate.Task",
          message,
          flowRunId: req.flowRunId,
          task: req.graph.nodes[node]?.id,
          mapIndex: child < 0 ? undefined : child,
          worker,
        });
      ref = client.submit(
        {
          flowRunId: req.flowRunId,
          flowName: req.flowName,
          bundle,
          graph,
          params,
          keep: [...req.keep],
          ...(req.onTaskRuns ? { live: true } : {}),
        },
        {
          onMessage: (m: RunMessage) => {
            switch (m.t) {
              case "started":
                req.onFirstTaskStarted?.();
                break;
              case "progress":
                req.onProgress?.(m.progress);
                break;
              case "task-runs":
                if (req.onTaskRuns) emitUpdates(m, req.graph.nodes, req.onTaskRuns);
                break;
              case "logs":
                for (const [time, level, node, child, message] of m.logs)
                  log(level, node, child, message, time, m.worker);
                break;
              case "retry":
                // the same warning LocalExecutor logs, made here from the scheduler's report
                log("WARNING", m.node, m.child, retryMessage(m.delay, m.message));
                break;
              case "ended":
                log(
                  m.state === "Skipped" || m.state === "Cancelled" ? "INFO" : "ERROR",
                  m.node,
                  m.child,
                  endedMessage(m.state, m.message),
                );
                break;
              case "result":
                cleanup();
                resolve(collect(req, m.snapshot, m.keys, m.values ?? []));
                break;
              case "failed":
                cleanup();
                reject(failure(req, m));
                break;
            }
          },
          onLost: (reason) => {
            cleanup();
            reject(new SchedulerLostError(this.options.address, reason));
          },
        },
      );
      // The scheduler reports task runs from their start on; until then each task is Pending.
      req.onTaskRuns?.(
        req.graph.nodes.flatMap((n, node) =>
          n.constant ? [] : [{ node, task: n.id, mapIndex: -1, state: "Pending" as const }],
        ),
      );
      if (req.signal.aborted) onAbort();
      else req.signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Closes the connection to the scheduler (the cluster keeps running), so that nothing of this
   * executor keeps the process alive. It connects again if used afterwards.
   */
  async close(): Promise<void> {
    const client = this.client;
    this.client = this.connected = undefined;
    await client?.then(
      (c) => c.close(),
      () => {},
    );
  }

  /** `await using executor = new ClusterExecutor(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** The error of a run the scheduler reports failed. */
function failure(req: ExecutionRequest, m: Extract<RunMessage, { t: "failed" }>): Error {
  const message = m.message;
  if (m.code !== "FG_CLUSTER_BUNDLE_LOAD") return new Error(message);
  if (message.includes(FLOW_NOT_CONSTRUCTED)) {
    const task = req.graph.nodes.find((n) => !n.constant);
    const detail = message.slice(message.indexOf("): ") + 3) || message;
    return new TaskNotDefinedError(
      task?.id ?? "(none)",
      req.flowName,
      req.sourceFile ?? "(no file)",
      detail,
    );
  }
  return new BundleLoadError(m.worker, req.flowName, message);
}

/** Encoded graphs by spec: a flow without parameters runs the same spec object every time. */
const encodedGraphs = new WeakMap<GraphSpec, Buffer>();

/** Serializes the graph, naming the task whose argument or constant cannot cross the wire. */
function encodeGraph(req: ExecutionRequest): Buffer {
  const known = encodedGraphs.get(req.graph);
  if (known) return known;
  try {
    const bytes = encodeValue(req.graph);
    encodedGraphs.set(req.graph, bytes);
    return bytes;
  } catch {
    for (const n of req.graph.nodes) {
      try {
        encodeValue(n);
      } catch (e) {
        throw new SerializationError(n.id, n.constant ? "the value" : "an argument", e);
      }
    }
    throw new SerializationError("(graph)", "the graph", new Error("unknown"));
  }
}

function collect(
  req: ExecutionRequest,
  snapshot: GraphSnapshot,
  keys: string[],
  bytes: (Buffer | null)[],
): ExecutionResult {
  const values = new Map<string, unknown>();
  keys.forEach((k, i) => values.set(k, bytes[i] ? decodeValue(bytes[i]!) : undefined));
  const results = new Map<number, unknown>();
  for (const n of req.keep) {
    const spec = req.graph.nodes[n]!;
    if (spec.constant) {
      results.set(n, spec.constant.value);
      continue;
    }
    const s = snapshot[n]!;
    if (s.width >= 0)
      results.set(
        n,
        Array.from({ length: s.width }, (_, c) => values.get(`${n}|${c}`)),
      );
    else results.set(n, values.get(`${n}|-1`));
  }
  return { snapshot, results };
}
