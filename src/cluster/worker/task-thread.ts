import { parentPort, workerData } from "node:worker_threads";
import { AsyncLocalStorage } from "node:async_hooks";
import { format } from "node:util";
import {
  type ArgRef,
  type Invocation,
  type LogLevel,
  measureValue,
  resolveArg,
  type TaskHost,
  type GraphSpec,
  type TaskSpec,
} from "../../graph/index.ts";
import { decodeValue, encodeValue } from "../wire/codec.ts";
import { SerializationError } from "../errors.ts";
import { OutcomeCode } from "../messages.ts";
import { NOT_RUN, type ThreadTask, type ThreadRunInfo, type ToThread } from "./thread-messages.ts";
import { depBytes, indexDeps, type BatchInputs } from "./packed-deps.ts";
import { ResultBuffer, transferOf, unpackTasks } from "./thread-batch.ts";
import { inputKey, inputKeyNode } from "./input-key.ts";

/**
 * Runs inside a worker thread: loads flow bundles through the task-host module and runs task
 * runs one after another, posting results (as V8 bytes) and logs back to the worker's I/O loop.
 */
const port = parentPort!;
/** The number (`s`) of the task run going on, shared with the pool: it names the task if this thread dies of OOM. */
const running = (workerData as { running: Int32Array }).running;
type RunState = ThreadRunInfo & {
  spec: GraphSpec;
  parameters: Record<string, unknown>;
  abort: AbortController;
  /** Sticky inputs, decoded once, by inputKey; dropped on `release` (see TaskInput). */
  shared: Map<number, unknown>;
  /** The flow's code once loaded. */
  host?: TaskHost;
};
const runs = new Map<number, RunState>();
/** A queued task run with its batch's inputs: (run -> key -> index) of the non-sticky ones. */
interface Queued {
  readonly task: ThreadTask;
  readonly inputs: BatchInputs | undefined;
  readonly index: Map<number, Map<number, number>>;
  /** A chain link's: the results of the chain before it, by inputKey (inline-chain.ts). */
  readonly carried?: Map<number, Uint8Array>;
}
const noIndex = new Map<number, Map<number, number>>();
const hosts = new Map<string, Promise<TaskHost>>();
/** The task run whose code is running (its invocation), for its console output. */
const current = new AsyncLocalStorage<ThreadInvocation>();
const queue: Queued[] = [];
let busy = false;
const results = new ResultBuffer();
let logs: [number, number, LogLevel, number, number, string][] = [];
let flushSet = false;

function flushSoon(): void {
  if (flushSet) return;
  flushSet = true;
  setImmediate(flushNow);
}

function flushNow(): void {
  flushSet = false;
  // Logs first: a task's lines reach the I/O loop before its result does.
  if (logs.length) port.postMessage({ t: "logs", list: logs });
  if (results.length) {
    const packed = results.take();
    port.postMessage({ t: "results", results: packed }, transferOf(packed));
  }
  logs = [];
}

function log(level: LogLevel, message: string): void {
  const where = current.getStore();
  if (!where) return void process.stderr.write(`${message}\n`);
  logs.push([where.run, Date.now(), level, where.n, where.c, message]);
  flushSoon();
}

const levels: [keyof Console, LogLevel][] = [
  ["log", "INFO"],
  ["info", "INFO"],
  ["debug", "DEBUG"],
  ["warn", "WARNING"],
  ["error", "ERROR"],
];
for (const [method, level] of levels)
  (console as unknown as Record<string, unknown>)[method] = (...a: unknown[]) =>
    log(level, format(...a));

function hostFor(info: ThreadRunInfo): Promise<TaskHost> {
  const k = `${info.bundlePath}#${info.flowName}`;
  let h = hosts.get(k);
  if (!h) {
    h = (
      import(info.taskHost) as Promise<{ loadTaskHost(p: string, f: string): Promise<TaskHost> }>
    ).then((m) => m.loadTaskHost(info.bundlePath, info.flowName));
    hosts.set(k, h);
  }
  return h;
}

port.on("message", (m: ToThread) => {
  if (m.t === "run") {
    const info = m.info;
    // One AbortController per run (making one per task run is costly); aborted when the run is cancelled.
    runs.set(info.run, {
      ...info,
      spec: decodeValue<GraphSpec>(info.graph),
      parameters: decodeValue(info.params),
      abort: new AbortController(),
      shared: new Map(),
    });
    hostFor(info).catch((e: unknown) =>
      port.postMessage({ t: "load-failed", run: info.run, message: describeLoadError(e) }),
    );
  } else if (m.t === "tasks") {
    const index = takeInputs(m.inputs);
    for (const task of unpackTasks(m.tasks)) queue.push({ task, inputs: m.inputs, index });
    if (!busy) void pump();
  } else if (m.t === "cancel") {
    runs.get(m.run)?.abort.abort(new Error("the flow run was cancelled"));
    for (let i = queue.length - 1; i >= 0; i--)
      if (queue[i]!.task.run === m.run) {
        const [{ task: t }] = queue.splice(i, 1) as [Queued];
        if (t.chain) notRun(t, 0);
        results.add(
          t.s,
          t.run,
          t.n,
          t.c,
          OutcomeCode.failed,
          0,
          undefined,
          -1,
          "the flow run was cancelled",
        );
      }
    flushSoon();
  } else if (m.t === "forget") {
    runs.get(m.run)?.abort.abort(new Error("the flow run was cancelled"));
    runs.delete(m.run);
  } else if (m.t === "release") {
    const shared = runs.get(m.run)?.shared;
    if (shared) for (const k of shared.keys()) if (inputKeyNode(k) === m.node) shared.delete(k);
  }
});

/** Decodes a batch's sticky inputs into their runs' shared values; indexes the others. */
function takeInputs(inputs: BatchInputs | undefined): Map<number, Map<number, number>> {
  const index = new Map<number, Map<number, number>>();
  if (!inputs) return index;
  for (let i = 0; i < inputs.nodes.length; i++) {
    const run = inputs.runs[i]!;
    const key = inputKey(inputs.nodes[i]!, inputs.children[i]!);
    if (inputs.sticky[i]) {
      runs.get(run)?.shared.set(key, decodeValue(depBytes(inputs, i)));
      continue;
    }
    let m = index.get(run);
    if (!m) index.set(run, (m = new Map()));
    m.set(key, i);
  }
  return index;
}

function describeLoadError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The links of `t`'s chain from `from` on were not run (see NOT_RUN). */
function notRun(t: ThreadTask, from: number): void {
  const chain = t.chain!;
  for (let i = from; i < chain.length; i++)
    results.add(t.s + 1 + i, t.run, chain[i]!.n, -1, NOT_RUN, 0);
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

async function pump(): Promise<void> {
  busy = true;
  while (queue.length > 0) {
    const q = queue.shift()!;
    Atomics.store(running, 0, q.task.s);
    const bytes = await runOne(q);
    if (q.task.chain) {
      // Runs the chain's next link at once, unless this one failed or the run was cancelled.
      if (bytes && runs.get(q.task.run)?.abort.signal.aborted === false)
        queue.unshift(nextLink(q, bytes));
      else notRun(q.task, 0);
    }
    // Post at once when the batch is done (no turn's wait); mid-batch, results are coalesced.
    if (queue.length === 0) flushNow();
    else flushSoon();
  }
  busy = false;
}

/** A task run ended without a value, timed from `started`. */
function ended(
  t: ThreadTask,
  started: number,
  code: number,
  message: string,
  stack?: string,
): undefined {
  results.add(
    t.s,
    t.run,
    t.n,
    t.c,
    code,
    performance.now() - started,
    undefined,
    -1,
    message,
    stack,
  );
  return undefined;
}

/**
 * What a task run's code sees of its run (the task host's Invocation), and the store of `current`
 * while it runs. A class, so that a task run costs one object and no closure (the precompiled
 * runtime names each closure it makes).
 */
class ThreadInvocation implements Invocation {
  readonly key: string;
  readonly taskName: string;
  readonly timeout: number;
  readonly flowRunId: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly signal: AbortSignal;

  constructor(
    spec: TaskSpec,
    info: RunState,
    readonly run: number,
    readonly n: number,
    readonly c: number,
    readonly attempt: number,
  ) {
    this.key = spec.key;
    this.taskName = spec.id;
    this.timeout = spec.timeout;
    this.flowRunId = info.flowRunId;
    this.parameters = info.parameters;
    this.signal = info.abort.signal;
  }

  get mapIndex(): number | undefined {
    return this.c < 0 ? undefined : this.c;
  }

  get taskRunId(): string {
    return `${this.flowRunId}/${this.c < 0 ? this.taskName : `${this.taskName}[${this.c}]`}`;
  }

  log(level: LogLevel, message: string): void {
    current.run(this, log, level, message);
  }
}

function invoke(host: TaskHost, inv: ThreadInvocation, args: unknown[]) {
  return host.invoke(inv, args);
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

/** Runs one task run and adds its result to `results`; returns the result's bytes if it succeeded. */
async function runOne(q: Queued): Promise<Uint8Array | undefined> {
  const t = q.task;
  const info = runs.get(t.run);
  const started = performance.now();
  if (!info) return ended(t, started, OutcomeCode.failed, "the flow run is gone from this worker");
  const spec = info.spec.nodes[t.n]!;
  let host: TaskHost;
  try {
    host = info.host ?? (info.host = await hostFor(info));
  } catch (e) {
    const message = `could not load the flow's code: ${describeLoadError(e)}`;
    return ended(t, started, OutcomeCode.failed, message);
  }
  let args: unknown[];
  try {
    args = buildArgs(q, info, spec);
  } catch (e) {
    return ended(t, started, OutcomeCode.failed, `could not build arguments: ${String(e)}`);
  }
  const inv = new ThreadInvocation(spec, info, t.run, t.n, t.c, t.a);
  // The I/O loop times the run from here, so that loading the flow's code does not count.
  if (spec.timeout > 0) port.postMessage({ t: "begin", s: t.s });
  const result = await current.run(inv, invoke, host, inv, args);
  if (result.type === "Success") {
    let bytes: Buffer;
    try {
      bytes = encodeValue(result.value);
    } catch (e) {
      const label = t.c < 0 ? spec.id : `${spec.id}[${t.c}]`;
      const message = new SerializationError(label, "the result", e).message;
      return ended(t, started, OutcomeCode.failed, message);
    }
    const v = result.value;
    // measureValue, inlined for the common case (no measure): no object per task run
    const m = t.m === 0 || !Array.isArray(v) ? undefined : measureValue(v, t.m);
    const ms = performance.now() - started;
    const length = m?.length ?? -1;
    const inner = m?.innerLengths;
    results.add(
      t.s,
      t.run,
      t.n,
      t.c,
      OutcomeCode.success,
      ms,
      bytes,
      length,
      undefined,
      undefined,
      inner,
    );
    return bytes;
  }
  if (result.type === "Skipped") return ended(t, started, OutcomeCode.skipped, result.message);
  const code = result.type === "TimedOut" ? OutcomeCode.timedOut : OutcomeCode.failed;
  return ended(t, started, code, result.message, result.stack);
}

port.postMessage({ t: "ready" });
