import type { Command } from "commander";
import { BasicAuth, TokenAuth, authFromEnv, type GatewayAuth } from "../gateway/client/index.ts";
import { ServerClient } from "../server/client/index.ts";
import { UsageError } from "./usage-error.ts";

/** The flags every command that talks to a flowgate server takes. */
export interface ServerFlags {
  server?: string;
  user?: string;
  password?: string;
  token?: string;
}

/** Adds --server, --user, --password and --token to `cmd`. */
export function serverOptions(cmd: Command): Command {
  return cmd
    .option(
      "--server <url>",
      "the flowgate server, http[s]://host:port (default: FLOWGATE_SERVER_ADDRESS)",
    )
    .option(
      "--user <name>",
      "user name, HTTP Basic (default: FLOWGATE_GATEWAY_USER, else your OS user)",
    )
    .option("--password <password>", "password (default: FLOWGATE_GATEWAY_PASSWORD)")
    .option("--token <token>", "API token, bearer (default: FLOWGATE_GATEWAY_TOKEN)");
}

/** The credentials the flags (else FLOWGATE_GATEWAY_* variables) give. */
export function authOf(flags: ServerFlags): GatewayAuth {
  if (flags.token) return new TokenAuth(flags.token);
  if (flags.user !== undefined) return new BasicAuth(flags.user, flags.password);
  const auth = authFromEnv();
  return flags.password !== undefined && auth instanceof BasicAuth
    ? new BasicAuth(auth.user, flags.password)
    : auth;
}

/** The server's address from --server or FLOWGATE_SERVER_ADDRESS; a UsageError without either. */
export function serverAddress(flags: ServerFlags): string {
  const address = flags.server ?? process.env.FLOWGATE_SERVER_ADDRESS;
  if (!address)
    throw new UsageError(
      "no server given; pass --server http://host:port or set FLOWGATE_SERVER_ADDRESS",
    );
  if (!/^https?:\/\/\S+$/.test(address))
    throw new UsageError(`--server ${JSON.stringify(address)} is not http[s]://host:port`);
  return address;
}

/** A client of the server the flags name. */
export function serverClient(flags: ServerFlags): ServerClient {
  return new ServerClient({ address: serverAddress(flags), auth: authOf(flags) });
}

/** Appends a repeatable option's value. */
export function collect(value: string, list: string[]): string[] {
  return [...list, value];
}

/** The id of flow `ref` (an id, `project/name` or a name) on the server. */
export async function flowIdOf(client: ServerClient, ref: string): Promise<number> {
  if (/^\d+$/.test(ref)) return Number(ref);
  const slash = ref.indexOf("/");
  const query =
    slash > 0 ? { project: ref.slice(0, slash), name: ref.slice(slash + 1) } : { name: ref };
  const { items } = await client.listFlows(query);
  if (items.length === 0)
    throw new UsageError(
      `no flow named ${JSON.stringify(ref)} on the server; register it with: flowgate register FILE`,
    );
  if (items.length > 1)
    throw new UsageError(
      `${items.length} flows are named ${JSON.stringify(ref)} (projects ${items.map((f) => f.project).join(", ")}); write project/name`,
    );
  return items[0]!.id;
}
