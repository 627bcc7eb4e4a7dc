import type { Command } from "commander";

// Placeholder until its issue lands.
export function registerWorker(program: Command): void {
  program.command("worker").description("(not yet available)").action(() => {
    throw new Error("flowgate worker is not implemented yet");
  });
}
