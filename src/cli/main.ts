import { Command, CommanderError } from "commander";
import { registerRun } from "./commands/run.ts";
import { registerDemo } from "./commands/demo.ts";
import { registerScheduler } from "./commands/scheduler.ts";
import { registerWorker } from "./commands/worker.ts";
import { registerGateway } from "./commands/gateway.ts";
import { registerClusters } from "./commands/clusters.ts";
import { UsageError } from "./usage-error.ts";
import { FlowDefinitionError, ParameterError } from "../flow/errors.ts";

const program = new Command("flowgate")
  .description("TypeScript workflows, each flow run on its own cluster from a gateway")
  .exitOverride()
  .configureOutput({ outputError: (s, write) => write(s) });

registerRun(program);
registerDemo(program);
registerScheduler(program);
registerWorker(program);
registerGateway(program);
registerClusters(program);
(await import("./commands/agent.ts")).registerAgent(program);
(await import("./commands/register.ts")).registerRegister(program);
(await import("./commands/runs.ts")).registerRuns(program);
(await import("./commands/schedules.ts")).registerSchedules(program);
(await import("./commands/up.ts")).registerUp(program);
(await import("./commands/server.ts")).registerServer(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  if (e instanceof UsageError || e instanceof ParameterError || e instanceof FlowDefinitionError) {
    process.stderr.write(`flowgate: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`flowgate: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
}
