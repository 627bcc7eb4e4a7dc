import type { LogLevel, LogRecord } from "../graph/log-record.ts";

export type { LogLevel, LogRecord };

/** The logger a task gets from `context().logger`. */
export interface TaskLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
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

export function makeLogger(emit: (level: LogLevel, message: string) => void): TaskLogger {
  return {
    debug: (m) => emit("DEBUG", m),
    info: (m) => emit("INFO", m),
    warn: (m) => emit("WARNING", m),
    error: (m) => emit("ERROR", m),
  };
}
