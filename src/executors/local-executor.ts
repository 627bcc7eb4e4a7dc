import {
  type GraphCommand,
  GraphState,
  measureValue,
  resolveArg,
  snapshotOf,
  progressOf,
  type LogLevel,
} from "../graph/index.ts";
import type { ExecutionRequest, ExecutionResult, Executor } from "./executor.ts";
import { endedMessage, retryMessage } from "./ended-message.ts";
import { ExecutorOptionsError } from "./errors.ts";
import { TaskRunBatcher } from "./task-run-batcher.ts";

export interface LocalExecutorOptions {
  /**
   * How many task runs may be in progress at once (async tasks overlap; sync tasks run one at
   * a time anyway).
   * @default 256
   */
  readonly concurrency?: number;
}

/** Runs every task in this process. The default executor. */
export class LocalExecutor implements Executor {
  readonly description = "LocalExecutor";
  private readonly concurrency: number;

  constructor(options: LocalExecutorOptions = {}) {
    const c = options.concurrency ?? 256;
    if (!Number.isInteger(c) || c < 1)
      throw new ExecutorOptionsError(
        `LocalExecutor concurrency must be a positive integer, got ${String(c)}; pass e.g. { concurrency: 8 }`,
      );
    this.concurrency = c;
  }

  execute(request: ExecutionRequest): Promise<ExecutionResult> {
    return new LocalRun(request, this.concurrency).promise;
  }
}

type RunCommand = Extract<GraphCommand, { type: "run" }>;

/** One graph run in this process: the shell around GraphState. */
class LocalRun {
  readonly promise: Promise<ExecutionResult>;
  private resolve!: (r: ExecutionResult) => void;
  private readonly state: GraphState;
  private readonly values: unknown[] = [];
  private readonly queue: RunCommand[] = [];
  private queueHead = 0;
  private running = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly abort = new AbortController();
  private started = false;
  private yielding = false;
  private progressTimer: NodeJS.Timeout | undefined;
  private onAbort: () => void = () => {};
  private sliceEnd = performance.now() + 5;
  private startedInSlice = 0;
  /** Live task-run states, when the caller listens (`onTaskRuns`). */
  private readonly live: TaskRunBatcher | undefined;
  /** Mapped nodes whose parent run was reported Mapped (live states only). */
  private mappedSent: Uint8Array | undefined;
  /** The time for live states, read once per event-loop turn (see `now`); -1: not read yet. */
  private clock = -1;

  constructor(
    private readonly req: ExecutionRequest,
    private readonly concurrency: number,
  ) {
    this.promise = new Promise((r) => (this.resolve = r));
    this.state = new GraphState(req.graph, (n) => req.keep.has(n));
    req.graph.nodes.forEach((n, i) => n.constant && (this.values[i] = n.constant.value));
    if (req.onTaskRuns) {
      const nodes = req.graph.nodes;
      this.live = new TaskRunBatcher(
        nodes.map((n) => n.id),
        req.onTaskRuns,
      );
      this.mappedSent = new Uint8Array(nodes.length);
      nodes.forEach((n, i) => n.constant || this.live!.set(i, -1, "Pending"));
    }
    const onAbort = (this.onAbort = () => {
      this.abort.abort(req.signal.reason);
      this.apply(this.state.cancel("the flow run was cancelled"));
    });
    // Cancelled before it began: cancel first, so that start() runs no task.
    if (req.signal.aborted) onAbort();
    else req.signal.addEventListener("abort", onAbort, { once: true });
    this.apply(this.state.start());
  }

  private apply(commands: readonly GraphCommand[]): void {
    for (const c of commands) {
      switch (c.type) {
        case "run":
          this.queue.push(c);
          break;
        case "retry": {
          const failure = this.state.detailOf(c.node, c.child)?.message ?? "";
          this.live?.set(c.node, c.child, "Retrying", { message: failure });
          this.log("WARNING", c.node, c.child, retryMessage(c.delay, failure));
          const t = setTimeout(() => {
            this.timers.delete(t);
            this.apply(this.state.retryDue(c.node, c.child));
          }, c.delay);
          this.timers.add(t);
          break;
        }
        case "ended":
          this.live?.set(c.node, c.child, c.state, { endedAt: this.now(), message: c.message });
          this.log(
            c.state === "Skipped" || c.state === "Cancelled" ? "INFO" : "ERROR",
            c.node,
            c.child,
            endedMessage(c.state, c.message),
          );
          break;
        case "release":
          this.values[c.node] = undefined;
          break;
        case "done":
          return this.finish();
      }
    }
    this.pump();
  }

  private pump(): void {
    // Synchronous tasks settle in microtasks; yield to the event loop every few milliseconds so
    // that timers (retries, timeouts) and cancellation are not starved by a large map.
    if (this.yielding) return;
    while (this.running < this.concurrency && this.queueHead < this.queue.length) {
      if (++this.startedInSlice % 64 === 0 && performance.now() > this.sliceEnd) {
        this.yielding = true;
        setImmediate(() => {
          this.yielding = false;
          this.sliceEnd = performance.now() + 5;
          this.pump();
        });
        return;
      }
      const c = this.queue[this.queueHead++]!;
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      // A run still queued when the flow run was cancelled must not start.
      if (this.state.stateOf(c.node, c.child) !== "Running") continue;
      this.start(c);
    }
  }

  private start(c: RunCommand): void {
    this.running++;
    if (!this.started) {
      this.started = true;
      this.req.onFirstTaskStarted?.();
      if (this.req.onProgress) {
        this.progressTimer = setInterval(() => this.req.onProgress!(progressOf(this.state)), 200);
        this.progressTimer.unref();
      }
    }
    const spec = this.req.graph.nodes[c.node]!;
    const mapIndex = c.child < 0 ? undefined : c.child;
    if (this.live) {
      if (c.child >= 0 && this.mappedSent![c.node] === 0) {
        this.mappedSent![c.node] = 1;
        this.live.set(c.node, -1, "Mapped");
      }
      this.live.change(c.node, c.child, "Running", this.now());
    }
    let args: unknown[];
    try {
      args = c.args.map((a) => resolveArg(a, this.lookup));
    } catch (e) {
      return this.settle(c, { type: "Failed", message: `could not build arguments: ${String(e)}` });
    }
    this.req.host
      .invoke(
        {
          key: spec.key,
          taskName: spec.id,
          taskRunId: `${this.req.flowRunId}/${spec.id}${mapIndex === undefined ? "" : `[${mapIndex}]`}`,
          mapIndex,
          flowRunId: this.req.flowRunId,
          attempt: c.attempt,
          timeout: spec.timeout,
          parameters: this.req.parameters,
          signal: this.abort.signal,
          log: (level, message) => this.log(level, c.node, c.child, message),
        },
        args,
      )
      .then((r) => this.settle(c, r));
  }

  private settle(c: RunCommand, r: Awaited<ReturnType<ExecutionRequest["host"]["invoke"]>>): void {
    this.running--;
    if (r.type === "Success") {
      if (c.child < 0) this.values[c.node] = r.value;
      else ((this.values[c.node] as unknown[] | undefined) ??= [])[c.child] = r.value;
      // Failures are reported from the graph's `ended` and `retry` commands; a cancelled run's
      // late success is ignored by the graph, so also here.
      if (this.live && this.state.stateOf(c.node, c.child) === "Running")
        this.live.change(c.node, c.child, "Success", undefined, this.now());
      this.apply(
        this.state.finished(c.node, c.child, {
          type: "Success",
          ...measureValue(r.value, c.measure),
        }),
      );
    } else {
      this.apply(this.state.finished(c.node, c.child, r));
    }
  }

  /**
   * Date.now(), read once per event-loop turn: a map's children start and end by the thousand in
   * one turn (at most ~5 ms, see `pump`), and a clock read per change cost more than the rest of
   * the live states (~0.1–0.5 µs each on a VM).
   */
  private now(): number {
    if (this.clock < 0) {
      this.clock = Date.now();
      setImmediate(() => (this.clock = -1));
    }
    return this.clock;
  }

  private readonly lookup = (node: number, child: number): unknown => {
    const v = this.values[node];
    return child < 0 ? v : (v as unknown[] | undefined)?.[child];
  };

  private log(level: LogLevel, node: number, child: number, message: string): void {
    this.req.onLog({
      time: Date.now(),
      level,
      name: "flowgate.Task",
      message,
      flowRunId: this.req.flowRunId,
      task: this.req.graph.nodes[node]!.id,
      mapIndex: child < 0 ? undefined : child,
    });
  }

  private finish(): void {
    for (const t of this.timers) clearTimeout(t);
    clearInterval(this.progressTimer);
    this.req.onProgress?.(progressOf(this.state));
    this.live?.flush();
    this.live?.close();
    this.req.signal.removeEventListener("abort", this.onAbort);
    const results = new Map<number, unknown>();
    for (const n of this.req.keep) {
      const node = this.state.nodes[n]!;
      let v = this.values[n];
      if (node.width >= 0)
        v = Array.from({ length: node.width }, (_, i) => (v as unknown[] | undefined)?.[i]);
      results.set(n, v);
    }
    this.resolve({ snapshot: snapshotOf(this.state), results });
  }
}
