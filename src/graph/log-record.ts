export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR";

/** One log line of a flow run, from the runner or from a task wherever it ran. */
export interface LogRecord {
  /** ms since epoch */
  readonly time: number;
  readonly level: LogLevel;
  /** logger name: `flowgate.FlowRunner`, `flowgate.Task`, … */
  readonly name: string;
  readonly message: string;
  readonly flowRunId: string;
  readonly task?: string;
  readonly mapIndex?: number;
  /** the cluster worker that ran the task */
  readonly worker?: string;
}
