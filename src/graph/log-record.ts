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

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Local time as `2026-04-26 12:17:41`. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `[2026-04-26 12:17:41] INFO - flowgate.Task: timesTwo[3] | message` */
export function formatLogRecord(r: LogRecord): string {
  const who =
    r.task === undefined ? "" : `: ${r.task}${r.mapIndex === undefined ? "" : `[${r.mapIndex}]`}`;
  const where = r.worker === undefined ? "" : ` (${r.worker})`;
  return `[${formatTimestamp(r.time)}] ${r.level} - ${r.name}${who}${where} | ${r.message}`;
}
