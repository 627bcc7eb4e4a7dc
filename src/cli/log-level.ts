import type { LogLevel } from "../graph/index.ts";
import { LogLevelError } from "./errors.ts";

/** The names `--log-level` and FLOWGATE_LOG_LEVEL accept (kept equal to flow/logging.ts's list). */
export const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "OFF"] as const;
export type CliLogLevel = (typeof LOG_LEVELS)[number];

/**
 * The CLI's log level: `--log-level` if given, else FLOWGATE_LOG_LEVEL, else INFO (names are
 * case-insensitive). An unknown name from either is a LogLevelError listing the valid ones.
 */
export function resolveLogLevel(flag: string | undefined): CliLogLevel {
  const [source, raw] =
    flag !== undefined
      ? ["--log-level", flag]
      : ["FLOWGATE_LOG_LEVEL", process.env.FLOWGATE_LOG_LEVEL ?? ""];
  if (raw === "") return "INFO";
  const level = raw.toUpperCase() as CliLogLevel;
  if (!LOG_LEVELS.includes(level)) throw new LogLevelError(source, raw, LOG_LEVELS);
  return level;
}

/** The `printLogs` value a flow run gets for a CLI level. */
export function printSetting(level: CliLogLevel): LogLevel | false {
  return level === "OFF" ? false : level;
}

/** True when a record at `recordLevel` is shown at the CLI level `level`. */
export function shows(level: CliLogLevel, recordLevel: LogLevel): boolean {
  return LOG_LEVELS.indexOf(recordLevel) >= LOG_LEVELS.indexOf(level);
}
