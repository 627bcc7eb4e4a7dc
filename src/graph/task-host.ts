import type { LogLevel } from "./log-record.ts";

/** One attempt of one task run, as an executor asks a task host to carry it out. */
export interface Invocation {
  readonly key: string;
  readonly taskRunId: string;
  readonly taskName: string;
  readonly mapIndex: number | undefined;
  readonly flowRunId: string;
  readonly attempt: number;
  /** ms; 0 = none */
  readonly timeout: number;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly signal: AbortSignal;
  log(level: LogLevel, message: string): void;
}

export type InvocationResult =
  | { readonly type: "Success"; readonly value: unknown }
  | { readonly type: "Failed" | "TimedOut"; readonly message: string; readonly stack?: string }
  | { readonly type: "Skipped"; readonly message: string };

/**
 * Runs task functions by their stable key. The flow library implements it; executors and
 * cluster workers call it without knowing what a flow is.
 */
export interface TaskHost {
  invoke(invocation: Invocation, args: readonly unknown[]): Promise<InvocationResult>;
}
