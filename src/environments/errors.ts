import { FlowgateError } from "../graph/errors.ts";

/** Thrown for environment options that cannot work (bad worker counts, no gateway address). */
export class EnvironmentOptionsError extends FlowgateError {
  constructor(message: string) {
    super("FG_ENV_OPTIONS", message);
  }
}

/** Thrown when a user callback of an environment (onStart, onExecute, onExit) fails. */
export class EnvironmentCallbackError extends FlowgateError {
  constructor(
    readonly callback: "onStart" | "onExecute" | "onExit",
    cause: unknown,
  ) {
    super(
      "FG_ENV_CALLBACK",
      `the environment's ${callback} callback failed: ${cause instanceof Error ? cause.message : String(cause)}; the run did not ${callback === "onExit" ? "clean up its callback" : "start"}`,
      { cause },
    );
  }
}

/** Thrown when a run's cluster failed under it (the gateway reports it FAILED). */
export class ClusterFailedError extends FlowgateError {
  constructor(
    readonly clusterName: string,
    readonly stopReason: string,
    cause: unknown,
  ) {
    super(
      "FG_ENV_CLUSTER_FAILED",
      `cluster ${clusterName} failed during the run: ${stopReason}; see its log with: flowgate clusters logs ${clusterName}`,
      { cause },
    );
  }
}

/**
 * Thrown when a SecretAuth is asked for its credentials in a process that has no value for its
 * secret (outside an agent, which hands the run its own resolved value instead).
 */
export class SecretUnavailableError extends FlowgateError {
  constructor(
    readonly secret: string,
    readonly variable: string,
  ) {
    super(
      "FG_ENV_SECRET_UNAVAILABLE",
      `secret ${JSON.stringify(secret)} has no value in this process; set ${variable}, or run the flow through ` +
        `an agent that holds the secret (flowgate agent --secrets-file PATH, or ${variable} in its environment)`,
    );
  }
}
