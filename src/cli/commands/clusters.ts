import type { Command } from "commander";

// Placeholder until its issue lands.
export function registerClusters(program: Command): void {
  program.command("clusters").description("(not yet available)").action(() => {
    throw new Error("flowgate clusters is not implemented yet");
  });
}
