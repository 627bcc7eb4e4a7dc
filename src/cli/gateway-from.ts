import {
  BasicAuth,
  Gateway,
  TokenAuth,
  authFromEnv,
  type GatewayAuth,
} from "../gateway/client/index.ts";
import { UsageError } from "./errors.ts";

/** The gateway flags `run` and `clusters` share. */
export interface GatewayFlags {
  gateway?: string;
  user?: string;
  password?: string;
  token?: string;
}

/**
 * The credentials the flags give: a token, or HTTP Basic (the user defaulting to
 * FLOWGATE_GATEWAY_USER, the password to FLOWGATE_GATEWAY_PASSWORD); undefined leaves it to the
 * client's own defaults from the environment.
 */
export function gatewayAuth(flags: GatewayFlags): GatewayAuth | undefined {
  if (flags.token !== undefined && (flags.user !== undefined || flags.password !== undefined))
    throw new UsageError("--token and --user/--password are different credentials; pass one kind");
  if (flags.token !== undefined) return new TokenAuth(flags.token);
  if (flags.user === undefined && flags.password === undefined) return undefined;
  const fromEnv = authFromEnv();
  const user = flags.user ?? (fromEnv instanceof BasicAuth ? fromEnv.user : undefined);
  return new BasicAuth(
    user ?? "flowgate",
    flags.password ?? process.env["FLOWGATE_GATEWAY_PASSWORD"],
  );
}

/** A Gateway client for the flags (address defaulting to FLOWGATE_GATEWAY_ADDRESS). */
export function gatewayFrom(flags: GatewayFlags): Gateway {
  const auth = gatewayAuth(flags);
  if (flags.gateway === undefined && !process.env["FLOWGATE_GATEWAY_ADDRESS"])
    throw new UsageError(
      "no gateway address: pass --gateway http://host:port or set FLOWGATE_GATEWAY_ADDRESS",
    );
  return new Gateway({
    ...(flags.gateway !== undefined && { address: flags.gateway }),
    ...(auth && { auth }),
  });
}
