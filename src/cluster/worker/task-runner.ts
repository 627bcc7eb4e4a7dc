import {
  type ArgRef,
  type GraphSpec,
  type LogLevel,
  measureValue,
  resolveArg,
  type TaskHost,
  type TaskSpec,
} from "../../graph/index.ts";
import { decodeValue, encodeValue } from "../wire/codec.ts";
import { SerializationError } from "../errors.ts";
import { OutcomeCode } from "../messages.ts";
import { NOT_RUN, type ThreadRunInfo, type ThreadTask } from "./thread-messages.ts";
import { depBytes, indexDeps, type BatchInputs } from "./packed-deps.ts";
import { ResultBuffer } from "./thread-batch.ts";
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

/** A queued task run with its batch's inputs: (run -> key -> index) of the non-sticky ones. */
interface Queued {
  readonly task: ThreadTask;
  readonly inputs: BatchInputs | undefined;
  readonly index: Map<number, Map<number, number>>;
  /** A chain link's: the results of the chain before it, by inputKey (inline-chain.ts). */
  readonly carried?: Map<number, Uint8Array>;
}

const noIndex = new Map<number, Map<number, number>>();
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

  private async pump(): Promise<void> {
    this.busy = true;
    const slice = this.o.sliceMs;
    let since = performance.now();
    while (this.queue.length > 0) {
      const q = this.queue.shift()!;
      if (this.o.running) Atomics.store(this.o.running, 0, q.task.s);
      this.current = q.task.run;
      const bytes = await this.runOne(q);
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
      if (slice !== undefined && this.queue.length > 0 && performance.now() - since > slice) {
        await new Promise(setImmediate);
        since = performance.now();
      }
    }
    this.busy = false;
  }

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

  /** Runs one task run and adds its result to `results`; returns the result's bytes if it succeeded. */
  private async runOne(q: Queued): Promise<Uint8Array | undefined> {
    const t = q.task;
    const info = this.runs.get(t.run);
    const started = performance.now();
    if (!info)
      return this.ended(t, started, OutcomeCode.failed, "the flow run is gone from this worker");
    const spec = info.spec.nodes[t.n]!;
    let host: TaskHost;
    try {
      host = info.host ?? (info.host = await this.loadHost(info));
    } catch (e) {
      const message = `could not load the flow's code: ${describe(e)}`;
      return this.ended(t, started, OutcomeCode.failed, message);
    }
    let args: unknown[];
    try {
      args = buildArgs(q, info, spec);
    } catch (e) {
      return this.ended(t, started, OutcomeCode.failed, `could not build arguments: ${String(e)}`);
    }
    const inv = new TaskInvocation(spec, info, this, t.run, t.n, t.c, t.a);
    // The I/O loop times the run from here, so that loading the flow's code does not count.
    if (spec.timeout > 0) this.out.begin(t.s);
    const result = await current.run(inv, invoke, host, inv, args);
    if (result.type === "Success") {
      let bytes: Buffer;
      try {
        bytes = encodeValue(result.value);
      } catch (e) {
        const label = t.c < 0 ? spec.id : `${spec.id}[${t.c}]`;
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

/** After `q` succeeded with `bytes`: its first chain link, to run next, with the chain's results. */
function nextLink(q: Queued, bytes: Uint8Array): Queued {
  const t = q.task;
  const [l, ...rest] = t.chain!;
  const carried = q.carried ?? new Map<number, Uint8Array>();
  carried.set(inputKey(t.n, t.c), bytes);
  const { n, a, m, args } = l!;
  const s = t.s + 1;
  const task: ThreadTask = rest.length
    ? { run: t.run, n, c: -1, a, m, args, s, chain: rest }
    : { run: t.run, n, c: -1, a, m, args, s };
  return { task, inputs: undefined, index: noIndex, carried };
}

/**
 * The inputs of the task run whose arguments are being built. Module state and one lookup
 * function rather than a closure per task run: closures cost more than a no-op task (the
 * precompiled runtime names each one it makes).
 */
const inputs = {
  info: undefined as RunState | undefined,
  q: undefined as Queued | undefined,
  ownIndex: undefined as Map<number, number> | undefined,
  batchIndex: undefined as Map<number, number> | undefined,
  cache: undefined as Map<number, unknown> | undefined,
};

function lookupInput(node: number, child: number): unknown {
  const info = inputs.info!;
  const c = info.spec.nodes[node]!.constant;
  if (c) return c.value;
  const k = inputKey(node, child);
  if (info.shared.has(k)) return info.shared.get(k);
  const cache = (inputs.cache ??= new Map());
  if (cache.has(k)) return cache.get(k);
  let v: unknown;
  const q = inputs.q!;
  const i = inputs.ownIndex?.get(k);
  const carried = q.carried?.get(k);
  if (carried) v = decodeValue(carried);
  else if (i !== undefined) v = decodeValue(depBytes(q.task.deps!, i));
  else {
    const j = inputs.batchIndex?.get(k);
    if (j !== undefined) v = decodeValue(depBytes(q.inputs!, j));
  }
  cache.set(k, v);
  return v;
}

/** A task run's argument values (resolving references through lookupInput). */
function buildArgs(q: Queued, info: RunState, spec: TaskSpec): unknown[] {
  const t = q.task;
  inputs.info = info;
  inputs.q = q;
  inputs.ownIndex = t.deps ? indexDeps(t.deps) : undefined;
  inputs.batchIndex = q.index.get(t.run);
  inputs.cache = undefined;
  try {
    const args = new Array<unknown>(spec.args.length);
    for (let i = 0; i < spec.args.length; i++) {
      const a = spec.args[i]!;
      args[i] = a.kind === "value" ? a.value : resolveArg(t.args[i] as ArgRef, lookupInput);
    }
    return args;
  } finally {
    inputs.info = inputs.q = inputs.ownIndex = inputs.batchIndex = inputs.cache = undefined;
  }
}
