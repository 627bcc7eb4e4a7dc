import { type LogLevel, type LogRecord, formatLogRecord } from "../graph/index.ts";

export type { LogLevel, LogRecord };
export { formatLogRecord };

/** The logger a task gets from `context().logger`. */
export interface TaskLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function makeLogger(emit: (level: LogLevel, message: string) => void): TaskLogger {
  return {
    debug: (m) => emit("DEBUG", m),
    info: (m) => emit("INFO", m),
    warn: (m) => emit("WARNING", m),
    error: (m) => emit("ERROR", m),
  };
}

const LEVELS: readonly LogLevel[] = ["DEBUG", "INFO", "WARNING", "ERROR"];

/** The names FLOWGATE_LOG_LEVEL (and the CLI's `--log-level`) accept, lowest first. */
export const LOG_LEVEL_NAMES = [...LEVELS, "OFF"] as const;

let warnedEnv: string | undefined;

/** FLOWGATE_LOG_LEVEL as a setting; an unknown name is reported once on stderr and means INFO. */
function levelFromEnv(): LogLevel | false {
  const raw = process.env.FLOWGATE_LOG_LEVEL;
  if (raw === undefined || raw === "") return "INFO";
  const env = raw.toUpperCase();
  if (env === "OFF") return false;
  if (LEVELS.includes(env as LogLevel)) return env as LogLevel;
  if (warnedEnv !== raw) {
    warnedEnv = raw;
    process.stderr.write(
      `flowgate: FLOWGATE_LOG_LEVEL=${raw} is not a log level; use one of ${LOG_LEVEL_NAMES.join(", ")} (printing INFO and above)\n`,
    );
  }
  return "INFO";
}

/**
 * Prints records at `setting` and above to stderr (false: none). Without a setting, the level
 * comes from FLOWGATE_LOG_LEVEL (DEBUG, INFO, WARNING, ERROR or OFF), else INFO.
 */
export function logPrinter(setting: LogLevel | false | undefined): (r: LogRecord) => void {
  const level = setting ?? levelFromEnv();
  if (level === false || !LEVELS.includes(level)) return () => {};
  const min = LEVELS.indexOf(level);
  return (r) => {
    if (LEVELS.indexOf(r.level) >= min) process.stderr.write(`${formatLogRecord(r)}\n`);
  };
}
