/**
 * The `flowgate` command.
 *
 * Commands are registered lazily so that each one loads only what it needs: `flowgate --help`
 * imports nothing but commander and this table, `flowgate run` never loads the gateway server.
 * To add a command:
 *
 * 1. write `src/cli/commands/<name>.ts` exporting `register<Name>(program: Command): void`, which
 *    adds the command with its options and action (import heavy modules there or, better,
 *    inside the action);
 * 2. add a row to `COMMANDS` below: its name (with its arguments, as commander writes them), the
 *    one-line description shown by `flowgate --help`, and `load`, a dynamic import of that
 *    module returning the register function.
 *
 * Only the chosen command's module is imported (for `flowgate help <name>` too); the others
 * appear in the top-level help through their row alone. Errors that end a command are printed
 * by report-error.ts: a FlowgateError as one line, with its stack at `--log-level DEBUG`.
 */
import { Command, CommanderError } from "commander";
import { exitCodeOf, formatError } from "./report-error.ts";
import { LOG_LEVELS, resolveLogLevel } from "./log-level.ts";
import { packageVersion } from "./package-version.ts";

type Register = (program: Command) => void;

/** One `flowgate` subcommand, loaded only when it is the one that runs. */
interface CommandEntry {
  /** The name and its arguments, e.g. `run <file>`. */
  readonly name: string;
  readonly description: string;
  readonly load: () => Promise<Register>;
}

const COMMANDS: readonly CommandEntry[] = [
  {
    name: "run <file>",
    description: "run a flow file (TypeScript) and print its task states and result",
    load: async () => (await import("./commands/run.ts")).registerRun,
  },
  {
    name: "demo",
    description: "run the example flows, each on its own cluster from an embedded gateway",
    load: async () => (await import("./commands/demo.ts")).registerDemo,
  },
  {
    name: "scheduler",
    description:
      "run a cluster scheduler; prints `flowgate scheduler ready {address, dashboard}` when listening",
    load: async () => (await import("./commands/scheduler.ts")).registerScheduler,
  },
  {
    name: "worker <scheduler-address>",
    description: "run a cluster worker; prints `flowgate worker ready {name}` once registered",
    load: async () => (await import("./commands/worker.ts")).registerWorker,
  },
  {
    name: "gateway",
    description:
      "serve the gateway: a REST API that creates, scales and stops clusters (Dask Gateway compatible)",
    load: async () => (await import("./commands/gateway.ts")).registerGateway,
  },
  {
    name: "clusters",
    description: "list, create, scale and stop your clusters on a flowgate gateway",
    load: async () => (await import("./commands/clusters.ts")).registerClusters,
  },
  {
    name: "server",
    description: "serve the orchestration API: registered flows, runs, schedules and agents",
    load: async () => (await import("./commands/server.ts")).registerServer,
  },
  {
    name: "agent",
    description: "claim runs from a flowgate server by labels and execute them",
    load: async () => (await import("./commands/agent.ts")).registerAgent,
  },
  {
    name: "register <file>",
    description: "register a flow file's flow with a flowgate server (idempotent)",
    load: async () => (await import("./commands/register.ts")).registerRegister,
  },
  {
    name: "runs",
    description: "create, list, follow and cancel flow runs on a flowgate server",
    load: async () => (await import("./commands/runs.ts")).registerRuns,
  },
  {
    name: "schedules",
    description: "set, pause and resume the schedules of registered flows",
    load: async () => (await import("./commands/schedules.ts")).registerSchedules,
  },
  {
    name: "up",
    description:
      "start a gateway, a server and an agent on this machine (--demo: run the examples)",
    load: async () => (await import("./commands/up.ts")).registerUp,
  },
];
/** The subcommand the words name (skipping global options and their values), if any. */
function chosenCommand(args: readonly string[]): CommandEntry | undefined {
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--log-level") i++;
    else if (!a.startsWith("-")) words.push(a);
    if (words.length === 2) break;
  }
  const name = words[0] === "help" ? words[1] : words[0];
  return COMMANDS.find((c) => c.name.split(" ")[0] === name);
}

const program = new Command("flowgate")
  .description("TypeScript workflows, each flow run on its own cluster from a gateway")
  .version(packageVersion(), "-V, --version", "print flowgate's version")
  .option(
    "--log-level <level>",
    `what to print: ${LOG_LEVELS.join(", ")} (default: FLOWGATE_LOG_LEVEL, else INFO); DEBUG also prints errors' stacks`,
  )
  .exitOverride()
  .configureOutput({ outputError: (s, write) => write(s) })
  .hook("preAction", () => {
    // Validated once for every command; children (clusters, workers) inherit the same level.
    process.env.FLOWGATE_LOG_LEVEL = resolveLogLevel(
      program.opts<{ logLevel?: string }>().logLevel,
    );
  });

const chosen = chosenCommand(process.argv.slice(2));
for (const entry of COMMANDS) {
  if (entry === chosen) (await entry.load())(program);
  else program.command(entry.name).description(entry.description);
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const code = exitCodeOf(e);
  // commander has printed its own errors, and the help or version text, already
  if (!(e instanceof CommanderError)) {
    let debug = false;
    try {
      debug = resolveLogLevel(program.opts<{ logLevel?: string }>().logLevel) === "DEBUG";
    } catch {
      // the level itself was the error
    }
    process.stderr.write(`${formatError(e, debug)}\n`);
  }
  process.exit(code);
}
