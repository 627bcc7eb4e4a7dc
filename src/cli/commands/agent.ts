import type { Command } from "commander";
import {
  authOf,
  collect,
  serverAddress,
  serverOptions,
  type ServerFlags,
} from "../server-flags.ts";
import { UsageError } from "../usage-error.ts";

interface AgentFlags extends ServerFlags {
  label: string[];
  gateway?: string;
  concurrency: string;
  name?: string;
  secretsFile?: string;
}

/**
 * `flowgate agent --server URL [--label L]… [--gateway URL] [--concurrency N]`: claims runs and
 * executes them until SIGTERM/SIGINT, which cancels the runs going on and stops their clusters.
 */
export function registerAgent(program: Command): void {
  const cmd = program
    .command("agent")
    .description("claim runs from a flowgate server by labels and execute them")
    .option("--label <label>", "a label this agent offers (repeatable)", collect, [])
    .option(
      "--gateway <address>",
      "run flows without an environment on a cluster from this gateway (default: in this process)",
    )
    .option("--concurrency <n>", "runs executed at once", "1")
    .option("--name <name>", "the name the server shows (default: <host>-<pid>)")
    .option(
      "--secrets-file <path>",
      "values of the secrets runs name (JSON or NAME=value lines, mode 0600); else FLOWGATE_SECRET_<NAME>",
    );
  serverOptions(cmd).action(async (flags: AgentFlags) => {
    const concurrency = Number(flags.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new UsageError(
        `--concurrency ${JSON.stringify(flags.concurrency)} is not a whole number ≥ 1`,
      );
    const { Agent } = await import("../../agent/index.ts");
    const agent = await Agent.start({
      server: serverAddress(flags),
      auth: authOf(flags),
      labels: flags.label,
      gateway: flags.gateway,
      concurrency,
      name: flags.name,
      secretsFile: flags.secretsFile,
    });
    process.stdout.write(
      `flowgate agent ready ${JSON.stringify({ id: agent.id, name: agent.options.name, labels: agent.options.labels })}\n`,
    );
    // The handlers stay until the agent has stopped: a run's environment re-raises the signal
    // when it finds no other listener, which would end the process before its runs are reported.
    const onSignal = () => void agent.stop();
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    await agent.stopped;
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  });
}
