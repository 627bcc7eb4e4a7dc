import { GatewayEnvironment, SecretAuth, secretVariable } from "../../environments/index.ts";
import type { GatewayEnvironmentOptions } from "../../environments/index.ts";
import type { FlowEnvironment } from "../../flow/index.ts";
import type { GatewayAuth } from "../../gateway/client/index.ts";
import type { EnvironmentSpec } from "../../server/api/index.ts";
import { SecretNotFoundError, SecretOptionError } from "../errors.ts";
import type { SecretSource } from "./secret-source.ts";

/**
 * The credentials a run's stored environment names by secret, resolved by this agent before the
 * run starts. `apply` hands them to the flow's own environment (a copy with `auth` replaced), so
 * the value never passes through the server, the run's log or its tasks.
 */
export class RunSecrets {
  private constructor(private readonly auth: GatewayAuth | undefined) {}

  /** No secrets named: the flow's environment runs as loaded. */
  static readonly none = new RunSecrets(undefined);

  /**
   * Resolves every secret `spec` names from `source`. Throws SecretNotFoundError naming the
   * first one missing and how to provide it, SecretOptionError for an option it cannot fill.
   */
  static resolve(spec: EnvironmentSpec | null, source: SecretSource): RunSecrets {
    const entries = Object.entries(spec?.secrets ?? {});
    if (entries.length === 0) return RunSecrets.none;
    let auth: GatewayAuth | undefined;
    for (const [option, name] of entries) {
      if (spec!.type !== "gateway" || (option !== "auth.token" && option !== "auth.password"))
        throw new SecretOptionError(name, option);
      const value = source.get(name);
      if (value === undefined)
        throw new SecretNotFoundError(name, option, secretVariable(name), source.file);
      const user = spec!.options?.["authUser"];
      const ref =
        option === "auth.token"
          ? SecretAuth.token(name)
          : SecretAuth.basic(typeof user === "string" ? user : "", name);
      auth = ref.withValue(value);
    }
    return new RunSecrets(auth);
  }

  /**
   * The run's environment: `environment` itself when nothing was resolved, else a copy of the
   * GatewayEnvironment with the resolved credentials. Throws SecretOptionError when secrets were
   * resolved but the flow's environment is not a GatewayEnvironment (never ignores them).
   */
  apply(environment: FlowEnvironment | undefined): FlowEnvironment | undefined {
    if (this.auth === undefined) return environment;
    if (!isGatewayEnvironment(environment))
      throw new SecretOptionError(
        "(gateway credentials)",
        environment?.description ?? "no environment",
      );
    // The loaded flow's own class (its module instance may differ from the agent's).
    const Environment = environment.constructor as new (
      o: GatewayEnvironmentOptions,
    ) => FlowEnvironment;
    return new Environment({ ...environment.options, auth: this.auth });
  }
}

function isGatewayEnvironment(e: FlowEnvironment | undefined): e is GatewayEnvironment {
  return (
    e instanceof GatewayEnvironment ||
    (e?.description === "GatewayEnvironment" &&
      typeof (e as { options?: unknown }).options === "object")
  );
}
