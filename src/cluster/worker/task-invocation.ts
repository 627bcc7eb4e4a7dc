import { AsyncLocalStorage } from "node:async_hooks";
import { format } from "node:util";
import type { GraphSpec, Invocation, LogLevel, TaskHost, TaskSpec } from "../../graph/index.ts";
import { decodeValue } from "../wire/codec.ts";
import type { ThreadRunInfo } from "./thread-messages.ts";

/** A flow run as a TaskRunner holds it (one per run it was told about). */
export interface RunState extends ThreadRunInfo {
  readonly spec: GraphSpec;
  /** Decoded on the first task run that needs them. */
  parameters: Record<string, unknown> | undefined;
  /** One per run (making one per task run is costly); aborted when the run is cancelled. */
  readonly abort: AbortController;
  /** Sticky inputs, decoded once, by inputKey; dropped on `release` (see TaskInput). */
  readonly shared: Map<number, unknown>;
  /** The flow's code once loaded. */
  host?: TaskHost;
}

/** Where a task run's log lines go: its TaskRunner. */
export interface LogSink {
  addLog(inv: TaskInvocation, level: LogLevel, message: string): void;
}

/**
 * What a task run's code sees of its run (the task host's Invocation), and the store of
 * `current` while it runs. A class, so that a task run costs one object and no closure (the
 * precompiled runtime names each closure it makes).
 */
export class TaskInvocation implements Invocation {
  readonly key: string;
  readonly taskName: string;
  readonly timeout: number;
  readonly flowRunId: string;
  readonly signal: AbortSignal;

  constructor(
    spec: TaskSpec,
    private readonly info: RunState,
    readonly sink: LogSink,
    readonly run: number,
    readonly n: number,
    readonly c: number,
    readonly attempt: number,
  ) {
    this.key = spec.key;
    this.taskName = spec.id;
    this.timeout = spec.timeout;
    this.flowRunId = info.flowRunId;
    this.signal = info.abort.signal;
  }

  /** The run's parameters, decoded the first time a task run of it reads them. */
  get parameters(): Readonly<Record<string, unknown>> {
    return (this.info.parameters ??= decodeValue<Record<string, unknown>>(this.info.params));
  }

  get mapIndex(): number | undefined {
    return this.c < 0 ? undefined : this.c;
  }

  get taskRunId(): string {
    return `${this.flowRunId}/${this.c < 0 ? this.taskName : `${this.taskName}[${this.c}]`}`;
  }

  log(level: LogLevel, message: string): void {
    this.sink.addLog(this, level, message);
  }
}

/** The task run whose code is running (its invocation), for its console output. */
export const current = new AsyncLocalStorage<TaskInvocation>();

const levels: [keyof Console, LogLevel][] = [
  ["log", "INFO"],
  ["info", "INFO"],
  ["debug", "DEBUG"],
  ["warn", "WARNING"],
  ["error", "ERROR"],
];

let captured = false;

/**
 * Makes `console` output of task code a log line of its task run (as `log` is). Outside a task
 * run, output goes where it went (`"console"`: the I/O loop's own output is untouched) or to
 * stderr (`"stderr"`: a task thread, whose console would be piped through the I/O loop).
 */
export function captureConsole(outside: "console" | "stderr"): void {
  if (captured) return;
  captured = true;
  const target = console as unknown as Record<string, (...a: unknown[]) => void>;
  for (const [method, level] of levels) {
    const original = target[method]!.bind(console);
    target[method] = (...a: unknown[]) => {
      const inv = current.getStore();
      if (inv) inv.sink.addLog(inv, level, format(...a));
      else if (outside === "console") original(...a);
      else process.stderr.write(`${format(...a)}\n`);
    };
  }
}
