/**
 * flowgate agents: claim runs from a flowgate server by labels and execute them through their
 * flows' environments, streaming states, logs, clusters and costs back.
 *
 * ```ts
 * import { Agent } from "flowgate/src/agent/index.ts";
 * const agent = await Agent.start({ server: "http://127.0.0.1:4200", labels: ["gpu"] });
 * process.on("SIGTERM", () => void agent.stop());
 * ```
 */
export { Agent } from "./agent.ts";
export type { AgentOptions, ResolvedAgentOptions } from "./agent-options.ts";
export { registerFlow } from "./register/register-flow.ts";
export type { Registration } from "./register/register-flow.ts";
export {
  AgentOptionsError,
  BundleIntegrityError,
  FlowNotInBundleError,
  StorageUnavailableError,
  RegistrationError,
  SecretNotFoundError,
  SecretOptionError,
  SecretsFileError,
} from "./errors.ts";
