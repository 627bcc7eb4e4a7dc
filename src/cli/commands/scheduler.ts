import type { Command } from "commander";

// Placeholder until its issue lands.
export function registerScheduler(program: Command): void {
  program.command("scheduler").description("(not yet available)").action(() => {
    throw new Error("flowgate scheduler is not implemented yet");
  });
}
