import { FlowgateError } from "../graph/errors.ts";

/**
 * A command line flowgate cannot act on. Every CLI error is one: printed as one line
 * (`flowgate: FG_CLI_…: what was wrong; how to fix it`), exit code 2.
 */
export class CliError extends FlowgateError {}

/** Thrown for a bad flag value or a bad combination of flags (e.g. two places to run). */
export class UsageError extends CliError {
  constructor(message: string, options?: ErrorOptions) {
    super("FG_CLI_USAGE", message, options);
  }
}

/** Thrown when a flag is given without the flag it only works with (`--max-workers` without `--gateway`). */
export class FlagRequiresError extends CliError {
  constructor(
    readonly flag: string,
    readonly requires: string,
  ) {
    super(
      "FG_CLI_FLAG_REQUIRES",
      `${flag} only applies with ${requires}; add ${requires} or leave ${flag} out`,
    );
  }
}

/** Thrown for a log level (from `--log-level` or FLOWGATE_LOG_LEVEL) that is not one of the known names. */
export class LogLevelError extends CliError {
  constructor(
    readonly source: string,
    readonly value: string,
    valid: readonly string[],
  ) {
    super(
      "FG_CLI_LOG_LEVEL",
      `${source} ${JSON.stringify(value)} is not a log level; use one of ${valid.join(", ")}`,
    );
  }
}

/** Thrown for a `--param` that is not name=value, or a `--param-file` that cannot be read as a JSON object. */
export class ParamError extends CliError {
  constructor(message: string, options?: ErrorOptions) {
    super("FG_CLI_PARAM", message, options);
  }
}

/** Thrown when the flow file of `flowgate run` is missing, cannot be imported, or exports no flow. */
export class FlowFileError extends CliError {
  constructor(
    readonly file: string,
    why: string,
    options?: ErrorOptions,
  ) {
    super("FG_CLI_FLOW_FILE", `flow file ${file} ${why}`, options);
  }
}
