import type { Command } from "commander";

// Placeholder until its issue lands.
export function registerGateway(program: Command): void {
  program.command("gateway").description("(not yet available)").action(() => {
    throw new Error("flowgate gateway is not implemented yet");
  });
}
