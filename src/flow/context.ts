import { AsyncLocalStorage } from "node:async_hooks";
import { FailSignal, NoTaskContextError, SkipSignal } from "./errors.ts";
import { makeLogger, type TaskLogger } from "./logging.ts";
import type { Invocation } from "../graph/index.ts";

/** What a running task can see of its run: `context()` returns it. */
export interface TaskContext {
  readonly logger: TaskLogger;
  readonly taskName: string;
  /** Index of this child in its map; undefined for a task that is not mapped. */
  readonly mapIndex: number | undefined;
  readonly taskRunId: string;
  readonly flowRunId: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  /** 1 on the first attempt, 2 on the first retry, … */
  readonly attempt: number;
  /** Fires when the task times out or the flow run is cancelled. */
  readonly signal: AbortSignal;
  /** Ends the task as Skipped; downstream tasks skip too unless they opt out. */
  skip(message?: string): never;
  /** Ends the task as Failed with this message. */
  fail(message: string): never;
}

const storage = new AsyncLocalStorage<TaskContext>();

/** The context of the task running now. Throws NoTaskContextError outside a task. */
export function context(): TaskContext {
  const ctx = storage.getStore();
  if (!ctx) throw new NoTaskContextError();
  return ctx;
}

export function runWithContext<T>(ctx: TaskContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

/**
 * The context of one task attempt. A class rather than an object literal so that a map's
 * children, each with a context, allocate one small object and share the methods.
 */
export class InvocationContext implements TaskContext {
  private cachedLogger: TaskLogger | undefined;

  constructor(
    private readonly inv: Invocation,
    readonly signal: AbortSignal,
  ) {}

  get logger(): TaskLogger {
    return (this.cachedLogger ??= makeLogger((level, m) => this.inv.log(level, m)));
  }
  get taskName(): string {
    return this.inv.taskName;
  }
  get mapIndex(): number | undefined {
    return this.inv.mapIndex;
  }
  get taskRunId(): string {
    return this.inv.taskRunId;
  }
  get flowRunId(): string {
    return this.inv.flowRunId;
  }
  get parameters(): Readonly<Record<string, unknown>> {
    return this.inv.parameters;
  }
  get attempt(): number {
    return this.inv.attempt;
  }
  skip(message = "skipped by the task"): never {
    throw new SkipSignal(message);
  }
  fail(message: string): never {
    throw new FailSignal(message);
  }
}
