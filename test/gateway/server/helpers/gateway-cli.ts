// Runs `flowgate gateway …` through the real command code (registerGateway) without loading the
// whole CLI, so these tests do not depend on the other commands' modules.
import { Command } from "commander";
import { registerGateway } from "../../../../src/cli/commands/gateway.ts";
import { UsageError } from "../../../../src/cli/usage-error.ts";

const program = new Command("flowgate").exitOverride();
registerGateway(program);
try {
  await program.parseAsync(process.argv);
} catch (e) {
  // As src/cli/main.ts does: a usage error is one line, exit 2.
  if (!(e instanceof UsageError)) throw e;
  process.stderr.write(`flowgate: ${e.message}\n`);
  process.exit(2);
}
