import type { GatewayAuth } from "../gateway/client/index.ts";
import { EnvironmentOptionsError, SecretUnavailableError } from "./errors.ts";

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,199}$/;

/** The environment variable that holds secret `name`: FLOWGATE_SECRET_<name>, "." and "-" as "_". */
export function secretVariable(name: string): string {
  return `FLOWGATE_SECRET_${name.replace(/[.-]/g, "_")}`;
}

/**
 * Gateway credentials named by a secret instead of given in clear, for flows registered with a
 * flowgate server: registration stores only the secret's name, and the agent that runs the flow
 * resolves it from its own secret source (`--secrets-file`, `FLOWGATE_SECRET_<NAME>`) and hands
 * the run the value. Outside an agent (`flowgate run`, `flow.run()`), the value is read from
 * `FLOWGATE_SECRET_<NAME>` of this process. Throws EnvironmentOptionsError for a bad name.
 *
 * ```ts
 * new GatewayEnvironment({ auth: SecretAuth.token("GATEWAY_TOKEN") });
 * new GatewayEnvironment({ auth: SecretAuth.basic("ada", "GATEWAY_PASSWORD") });
 * ```
 */
export class SecretAuth implements GatewayAuth {
  private constructor(
    /** The secret's name (never its value). */
    readonly secret: string,
    /** The user name for basic auth (not a secret); undefined for a token. */
    readonly user: string | undefined,
  ) {
    if (typeof secret !== "string" || !NAME.test(secret))
      throw new EnvironmentOptionsError(
        `secret name ${JSON.stringify(secret)} is not valid: use letters, digits, "_", "." or "-", starting with a letter or "_" (e.g. "GATEWAY_TOKEN")`,
      );
    if (user !== undefined && (typeof user !== "string" || user === "" || user.includes(":")))
      throw new EnvironmentOptionsError(
        `SecretAuth.basic user ${JSON.stringify(user)} is not usable: give a non-empty user name without ":"`,
      );
  }

  /** A bearer token (the gateway's `token` authenticator) held in secret `secret`. */
  static token(secret: string): SecretAuth {
    return new SecretAuth(secret, undefined);
  }

  /** Basic auth as `user`, with the password held in secret `passwordSecret`. */
  static basic(user: string, passwordSecret: string): SecretAuth {
    return new SecretAuth(passwordSecret, user);
  }

  /** The option the secret fills, as registration stores it: "auth.token" or "auth.password". */
  get option(): "auth.token" | "auth.password" {
    return this.user === undefined ? "auth.token" : "auth.password";
  }

  /** The credentials made from the secret's value; they describe themselves by the secret's name. */
  withValue(value: string): GatewayAuth {
    const header =
      this.user === undefined
        ? `Bearer ${value.trim()}`
        : `Basic ${Buffer.from(`${this.user}:${value}`).toString("base64")}`;
    const describe = this.describe();
    // Closures, not fields: printing or serialising the object shows no credential.
    return { authorization: () => header, describe: () => describe };
  }

  authorization(): string {
    const variable = secretVariable(this.secret);
    const value = process.env[variable];
    if (value === undefined || value === "")
      throw new SecretUnavailableError(this.secret, variable);
    return this.withValue(value).authorization();
  }

  describe(): string {
    return this.user === undefined
      ? `the token in secret "${this.secret}"`
      : `user "${this.user}" (password in secret "${this.secret}")`;
  }
}
