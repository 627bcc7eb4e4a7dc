import { hostname } from "node:os";
import { authFromEnv, type GatewayAuth } from "../gateway/client/index.ts";
import type { LogLevel } from "../graph/index.ts";
import { AgentOptionsError } from "./errors.ts";

export interface AgentOptions {
  /** The server's address, http[s]://host:port. */
  readonly server: string;
  /** Credentials for the server (the gateway's auth modes). @default from FLOWGATE_GATEWAY_* */
  readonly auth?: GatewayAuth;
  /** Labels the agent offers: it takes runs whose labels are a subset of these. @default [] */
  readonly labels?: readonly string[];
  /** Gateway for runs whose flow has no environment. @default run them in the agent's process */
  readonly gateway?: string;
  /** Credentials for that gateway. @default from FLOWGATE_GATEWAY_* */
  readonly gatewayAuth?: GatewayAuth;
  /** Runs executed at once. @default 1 */
  readonly concurrency?: number;
  /** The name the server shows. @default `<host>-<pid>` */
  readonly name?: string;
  /** How long one claim request waits on the server for a run, ms. @default 20000 */
  readonly claimWaitMs?: number;
  /** Prints the runs' log records at this level and above to stderr. @default false */
  readonly printLogs?: LogLevel | false;
  /** Where bundles fetched from the server are kept. @default flowgate's cache folder */
  readonly bundleDir?: string;
  /**
   * A private (mode 0600) file of the secrets runs name (JSON or KEY=VALUE lines), read before
   * `FLOWGATE_SECRET_<NAME>` environment variables. @default only those variables
   */
  readonly secretsFile?: string;
}

/** AgentOptions with every default filled in. */
export interface ResolvedAgentOptions extends Required<
  Omit<AgentOptions, "auth" | "gateway" | "gatewayAuth" | "bundleDir" | "secretsFile">
> {
  readonly auth: GatewayAuth;
  readonly gateway: string | undefined;
  readonly gatewayAuth: GatewayAuth | undefined;
  readonly bundleDir: string | undefined;
  readonly secretsFile: string | undefined;
}

/** Checks the options and fills in defaults; throws AgentOptionsError for ones that cannot work. */
export function resolveAgentOptions(o: AgentOptions): ResolvedAgentOptions {
  if (typeof o.server !== "string" || !/^https?:\/\/\S+$/.test(o.server))
    throw new AgentOptionsError(
      `the server address must be http[s]://host:port, got ${JSON.stringify(o.server)}; pass --server http://127.0.0.1:4200`,
    );
  const concurrency = o.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000)
    throw new AgentOptionsError(
      `concurrency must be a whole number from 1 to 1000, got ${JSON.stringify(o.concurrency)}`,
    );
  const labels = [...new Set(o.labels ?? [])];
  const bad = labels.find((l) => !/^[^,\s]+$/.test(l));
  if (bad !== undefined)
    throw new AgentOptionsError(
      `label ${JSON.stringify(bad)} is not valid; a label has no spaces or commas (give several with --label a --label b)`,
    );
  return {
    server: o.server,
    auth: o.auth ?? authFromEnv(),
    labels,
    gateway: o.gateway,
    gatewayAuth: o.gatewayAuth,
    concurrency,
    name: o.name ?? `${hostname()}-${process.pid}`,
    claimWaitMs: o.claimWaitMs ?? 20_000,
    printLogs: o.printLogs ?? false,
    bundleDir: o.bundleDir,
    secretsFile: o.secretsFile,
  };
}
