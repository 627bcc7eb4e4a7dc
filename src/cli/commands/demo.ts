import type { Command } from "commander";
import { fileURLToPath } from "node:url";
import { Flow } from "../../flow/flow.ts";
import { importFlowFile } from "../../flow/worker-mode.ts";
import { printRunSummary } from "../run-summary.ts";

const examples = ["times-two.ts", "inc-dec-add.ts"].map((f) =>
  fileURLToPath(new URL(`../../../examples/${f}`, import.meta.url)),
);

/** The README's main job: the seed's example flows, end to end. */
export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("run the example flows (the README's main job)")
    .action(async () => {
      let failed = false;
      for (const file of examples) {
        const mod = await importFlowFile(new URL(`file://${file}`).href);
        const flow = mod!.default as Flow<unknown>;
        const parameters = file.endsWith("times-two.ts")
          ? { x: Array.from({ length: 10 }, (_, i) => i) }
          : {};
        const result = await flow.run({ parameters });
        printRunSummary(result);
        failed ||= result.state.type !== "Success";
      }
      process.exitCode = failed ? 1 : 0;
    });
}
