import {
  type GraphSpec,
  type InvocationResult,
  type LogLevel,
  measureValue,
  type TaskHost,
} from "../../graph/index.ts";
import { decodeValue, encodeValue } from "../wire/codec.ts";
import { SerializationError } from "../errors.ts";
import { OutcomeCode } from "../messages.ts";
import { NOT_RUN, type ThreadRunInfo, type ThreadTask } from "./thread-messages.ts";
import { depBytes, type BatchInputs } from "./packed-deps.ts";
import { ResultBuffer } from "./thread-batch.ts";
import { buildArgs, nextLink, noIndex, type Queued } from "./queued-task.ts";
import type { PackedResults } from "./thread-messages.ts";
import { inputKey, inputKeyNode } from "./input-key.ts";
import { current, TaskInvocation, type LogSink, type RunState } from "./task-invocation.ts";

/** A log line of a task run: [run, time, level, node, child, message]. */
export type TaskLogLine = [number, number, LogLevel, number, number, string];

/** Where a TaskRunner's output goes: a task thread posts it to its I/O loop, the I/O loop takes it. */
export interface RunnerOutput {
  /** Log lines; always before the results of the same task runs. */
  logs(list: TaskLogLine[]): void;
  results(packed: PackedResults): void;
  /** Task run `s` (one with a timeout) begins: time it from now. */
  begin(s: number): void;
  /** A run's code failed to load (when told about the run with `load`). */
  loadFailed(run: number, message: string): void;
}

export interface TaskRunnerOptions {
  /** The number (`s`) of the task run going on is written here (a thread's OOM names it). */
  readonly running?: Int32Array;
  /**
   * After this many ms of task runs in a row, wait for the event loop's next turn before the
   * next one (the I/O loop must keep serving); undefined = never (a task thread).
   */
  readonly sliceMs?: number;
}

const cancelled = () => new Error("the flow run was cancelled");

/**
 * Runs task runs one after another: loads each flow's code through the task-host module, builds
 * a task run's arguments from its inputs, invokes it with its invocation, log and console
 * capture, encodes and times its result, runs its chain links (inline-chain.ts) and hands the
 * results and log lines to its output. The one runner of both a task thread (task-thread.ts)
 * and the worker's I/O loop (inline-tasks.ts).
 */
export class TaskRunner implements LogSink {
  private readonly runs = new Map<number, RunState>();
  private readonly hosts = new Map<string, Promise<TaskHost>>();
  private readonly queue: Queued[] = [];
  private busy = false;
  /** The run of the task run going on, -1 between task runs. */
  private current = -1;
  private readonly results = new ResultBuffer();
  private logs: TaskLogLine[] = [];
  private flushSet = false;
  private readonly flushLater = () => this.flushNow();
  /** When the loop last waited for a turn (sliceMs). */
  private since = 0;

  constructor(
    private readonly out: RunnerOutput,
    private readonly o: TaskRunnerOptions = {},
  ) {}

  /** Task runs queued or running. */
  get load(): number {
    return this.queue.length + (this.busy ? 1 : 0);
  }

  hasRun(run: number): boolean {
    return this.runs.has(run);
  }

  /**
   * Learns about a run (its graph decoded here unless given); `load` starts loading its code,
   * reporting a failure to the output.
   */
  addRun(info: ThreadRunInfo, spec?: GraphSpec, load = false): void {
    this.runs.set(info.run, {
      ...info,
      spec: spec ?? decodeValue<GraphSpec>(info.graph),
      parameters: undefined,
      abort: new AbortController(),
      shared: new Map(),
    });
    if (load) this.loadHost(info).catch((e: unknown) => this.out.loadFailed(info.run, describe(e)));
  }

  /** The flow's code, loaded once per bundle and flow. */
  loadHost(info: ThreadRunInfo): Promise<TaskHost> {
    const k = `${info.bundlePath}#${info.flowName}`;
    let h = this.hosts.get(k);
    if (!h) {
      type HostModule = { loadTaskHost(p: string, f: string): Promise<TaskHost> };
      h = (import(info.taskHost) as Promise<HostModule>).then((m) =>
        m.loadTaskHost(info.bundlePath, info.flowName),
      );
      this.hosts.set(k, h);
    }
    return h;
  }

  /** Queues task runs (numbered by `s`) with their batch's inputs. */
  submit(tasks: readonly ThreadTask[], inputs: BatchInputs | undefined): void {
    const index = this.takeInputs(inputs);
    for (const task of tasks) this.queue.push({ task, inputs, index });
    if (!this.busy) void this.pump();
  }

  /** Aborts a run's running task runs (their signal fires) and fails its queued ones. */
  cancel(run: number): void {
    this.runs.get(run)?.abort.abort(cancelled());
    for (let i = this.queue.length - 1; i >= 0; i--)
      if (this.queue[i]!.task.run === run) {
        const [{ task: t }] = this.queue.splice(i, 1) as [Queued];
        if (t.chain) this.notRun(t, 0);
        const message = "the flow run was cancelled";
        this.results.add(t.s, t.run, t.n, t.c, OutcomeCode.failed, 0, undefined, -1, message);
      }
    this.flushSoon();
  }

  /**
   * Drops a run; aborts its signal only if a task run of it is still queued or running (making
   * the reason's Error and dispatching the abort cost more than a short task run).
   */
  forget(run: number): void {
    const state = this.runs.get(run);
    if (!state) return;
    this.runs.delete(run);
    if (this.current === run || this.queue.some((q) => q.task.run === run))
      state.abort.abort(cancelled());
  }

  /** Drops the decoded sticky inputs of a node no task needs any more. */
  release(run: number, node: number): void {
    const shared = this.runs.get(run)?.shared;
    if (shared) for (const k of shared.keys()) if (inputKeyNode(k) === node) shared.delete(k);
  }

  addLog(inv: TaskInvocation, level: LogLevel, message: string): void {
    this.logs.push([inv.run, Date.now(), level, inv.n, inv.c, message]);
    this.flushSoon();
  }

  private flushSoon(): void {
    if (this.flushSet) return;
    this.flushSet = true;
    setImmediate(this.flushLater);
  }

  private flushNow(): void {
    this.flushSet = false;
    // Logs first: a task's lines reach the I/O loop before its result does.
    const logs = this.logs;
    this.logs = [];
    if (logs.length) this.out.logs(logs);
    if (this.results.length) this.out.results(this.results.take());
  }

  /** Decodes a batch's sticky inputs into their runs' shared values; indexes the others. */
  private takeInputs(inputs: BatchInputs | undefined): Map<number, Map<number, number>> {
    if (!inputs) return noIndex;
    const index = new Map<number, Map<number, number>>();
    for (let i = 0; i < inputs.nodes.length; i++) {
      const run = inputs.runs[i]!;
      const key = inputKey(inputs.nodes[i]!, inputs.children[i]!);
      if (inputs.sticky[i]) {
        this.runs.get(run)?.shared.set(key, decodeValue(depBytes(inputs, i)));
        continue;
      }
      let m = index.get(run);
      if (!m) index.set(run, (m = new Map()));
      m.set(key, i);
    }
    return index;
  }

  /** The links of `t`'s chain from `from` on were not run (see NOT_RUN). */
  private notRun(t: ThreadTask, from: number): void {
    const chain = t.chain!;
    for (let i = from; i < chain.length; i++)
      this.results.add(t.s + 1 + i, t.run, chain[i]!.n, -1, NOT_RUN, 0);
  }

  private pump(): void {
    this.busy = true;
    this.since = performance.now();
    this.step();
  }

  /**
   * Runs the queued task runs in order: each one's outcome comes a microtask later (a task may
   * be async), and the loop goes on from there. Callbacks rather than an async loop: each
   * `await` made promises of its own, and with the AsyncLocalStorage hooks on (`current`, the
   * flow's task context) every promise costs a hook call, which was a third of a no-op task
   * run's time in its thread.
   */
  private step(): void {
    while (this.queue.length > 0) {
      const q = this.queue.shift()!;
      if (this.o.running) Atomics.store(this.o.running, 0, q.task.s);
      this.current = q.task.run;
      const started = performance.now();
      const pending = this.start(q, started);
      if (pending === undefined) {
        if (this.after(q, undefined)) return;
        continue;
      }
      void pending.then((result) => {
        if (!this.after(q, this.settle(q, started, result))) this.step();
      });
      return;
    }
    this.busy = false;
  }

  /**
   * After a task run: its chain's next link, its result's flush; true when the loop waits for
   * the event loop's next turn (sliceMs) before the next one.
   */
  private after(q: Queued, bytes: Uint8Array | undefined): boolean {
    this.current = -1;
    if (q.task.chain) {
      // Runs the chain's next link at once, unless this one failed or the run was cancelled.
      if (bytes && this.runs.get(q.task.run)?.abort.signal.aborted === false)
        this.queue.unshift(nextLink(q, bytes));
      else this.notRun(q.task, 0);
    }
    // Post at once when the batch is done (no turn's wait); mid-batch, results are coalesced.
    if (this.queue.length === 0) this.flushNow();
    else this.flushSoon();
    const slice = this.o.sliceMs;
    if (slice === undefined || this.queue.length === 0 || performance.now() - this.since <= slice)
      return false;
    setImmediate(this.resume);
    return true;
  }

  private readonly resume = (): void => {
    this.since = performance.now();
    this.step();
  };

  /** A task run ended without a value, timed from `started`. */
  private ended(
    t: ThreadTask,
    started: number,
    code: number,
    message: string,
    stack?: string,
  ): undefined {
    const ms = performance.now() - started;
    this.results.add(t.s, t.run, t.n, t.c, code, ms, undefined, -1, message, stack);
    return undefined;
  }

  /**
   * Starts task run `q`: its outcome to come (undefined in it: it ended before its code ran), or
   * undefined when it ended at once. Either way, an ended one's result is added.
   */
  private start(q: Queued, started: number): Promise<InvocationResult | undefined> | undefined {
    const t = q.task;
    const info = this.runs.get(t.run);
    if (!info)
      return this.ended(t, started, OutcomeCode.failed, "the flow run is gone from this worker");
    if (info.host) return this.runOne(q, info, info.host, started);
    // Only a run's first task runs wait for its code.
    return this.loadHost(info).then(
      (host) => this.runOne(q, info, (info.host = host), started),
      (e: unknown) => {
        const message = `could not load the flow's code: ${describe(e)}`;
        return this.ended(t, started, OutcomeCode.failed, message);
      },
    );
  }

  /** Builds a task run's arguments and calls its code in its invocation (undefined: it ended). */
  private runOne(
    q: Queued,
    info: RunState,
    host: TaskHost,
    started: number,
  ): Promise<InvocationResult> | undefined {
    const t = q.task;
    const spec = info.spec.nodes[t.n]!;
    let args: unknown[];
    try {
      args = buildArgs(q, info, spec);
    } catch (e) {
      return this.ended(t, started, OutcomeCode.failed, `could not build arguments: ${String(e)}`);
    }
    const inv = new TaskInvocation(spec, info, this, t.run, t.n, t.c, t.a);
    // The I/O loop times the run from here, so that loading the flow's code does not count.
    if (spec.timeout > 0) this.out.begin(t.s);
    return current.run(inv, invoke, host, inv, args);
  }

  /** Adds a task run's outcome to `results`; returns the result's bytes if it succeeded. */
  private settle(
    q: Queued,
    started: number,
    result: InvocationResult | undefined,
  ): Uint8Array | undefined {
    if (!result) return undefined;
    const t = q.task;
    if (result.type === "Success") {
      let bytes: Buffer;
      try {
        bytes = encodeValue(result.value);
      } catch (e) {
        const spec = this.runs.get(t.run)?.spec.nodes[t.n];
        const label = !spec ? `#${t.n}` : t.c < 0 ? spec.id : `${spec.id}[${t.c}]`;
        const message = new SerializationError(label, "the result", e).message;
        return this.ended(t, started, OutcomeCode.failed, message);
      }
      const v = result.value;
      // measureValue, inlined for the common case (no measure): no object per task run
      const m = t.m === 0 || !Array.isArray(v) ? undefined : measureValue(v, t.m);
      const ms = performance.now() - started;
      const length = m?.length ?? -1;
      const inner = m?.innerLengths;
      const ok = OutcomeCode.success;
      this.results.add(t.s, t.run, t.n, t.c, ok, ms, bytes, length, undefined, undefined, inner);
      return bytes;
    }
    if (result.type === "Skipped")
      return this.ended(t, started, OutcomeCode.skipped, result.message);
    const code = result.type === "TimedOut" ? OutcomeCode.timedOut : OutcomeCode.failed;
    return this.ended(t, started, code, result.message, result.stack);
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function invoke(host: TaskHost, inv: TaskInvocation, args: unknown[]) {
  return host.invoke(inv, args);
}
