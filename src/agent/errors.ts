import { FlowgateError } from "../graph/errors.ts";

/** Thrown for agent options that cannot work (no server address, a bad concurrency). */
export class AgentOptionsError extends FlowgateError {
  constructor(message: string) {
    super("FG_AGENT_OPTIONS", message);
  }
}

/** Thrown when a bundle fetched from the server does not hash to the name it was asked by. */
export class BundleIntegrityError extends FlowgateError {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      "FG_AGENT_BUNDLE_INTEGRITY",
      `the server sent bundle ${expected} but its bytes hash to ${actual}; the server's bundle store is damaged — register the flow again`,
    );
  }
}

/** Thrown when a flow's stored code loads but constructs no flow of the registered name. */
export class FlowNotInBundleError extends FlowgateError {
  constructor(
    readonly flowName: string,
    readonly where: string,
  ) {
    super(
      "FG_AGENT_FLOW_NOT_FOUND",
      `${where} constructs no flow named '${flowName}'; register the file that defines it (flowgate register FILE)`,
    );
  }
}

/** Thrown when the agent cannot reach a flow's code: an image storage path not present here. */
export class StorageUnavailableError extends FlowgateError {
  constructor(
    readonly image: string,
    readonly path: string,
  ) {
    super(
      "FG_AGENT_STORAGE",
      `flow file ${path} of image ${image} is not on this agent's file system; run the agent inside image ${image} (or mount the file at ${path})`,
    );
  }
}

/** Thrown when a flow cannot be registered: it has no source file to bundle. */
export class RegistrationError extends FlowgateError {
  constructor(message: string, options?: ErrorOptions) {
    super("FG_AGENT_REGISTRATION", message, options);
  }
}

/**
 * Thrown when a run needs a secret (a name stored at registration) that this agent has no value
 * for; the run ends Failed with this message.
 */
export class SecretNotFoundError extends FlowgateError {
  constructor(
    readonly secret: string,
    readonly option: string,
    readonly variable: string,
    readonly file: string | undefined,
  ) {
    super(
      "FG_AGENT_SECRET_NOT_FOUND",
      `the run's environment needs secret ${JSON.stringify(secret)} (for ${option}), but this agent has no value for it; ` +
        (file
          ? `add ${secret} to its secrets file ${file} or set ${variable} in its environment`
          : `start the agent with --secrets-file PATH (a mode-0600 file holding ${secret}) or set ${variable} in its environment`),
    );
  }
}

/** Thrown when the agent's secrets file cannot be used: unreadable, open to others, malformed. */
export class SecretsFileError extends FlowgateError {
  constructor(
    readonly file: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super("FG_AGENT_SECRETS_FILE", `secrets file ${file}: ${problem}`, options);
  }
}

/**
 * Thrown when a run's stored environment names a secret for an option this agent cannot fill
 * (only a GatewayEnvironment's `auth.token` and `auth.password` are known).
 */
export class SecretOptionError extends FlowgateError {
  constructor(
    readonly secret: string,
    readonly option: string,
  ) {
    super(
      "FG_AGENT_SECRET_OPTION",
      `the run's environment names secret ${JSON.stringify(secret)} for ${JSON.stringify(option)}, which an agent cannot fill; ` +
        'give a GatewayEnvironment auth: SecretAuth.token("NAME") or SecretAuth.basic(user, "NAME"), and register the flow again',
    );
  }
}
