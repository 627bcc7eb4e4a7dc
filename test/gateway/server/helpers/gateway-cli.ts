// Runs `flowgate gateway …` through the real command code (registerGateway) without loading the
// whole CLI, so these tests do not depend on the other commands' modules.
import { Command } from "commander";
import { registerGateway } from "../../../../src/cli/commands/gateway.ts";

const program = new Command("flowgate").exitOverride();
registerGateway(program);
await program.parseAsync(process.argv);
