import type { Command } from "commander";
import { fileURLToPath, pathToFileURL } from "node:url";
import { GatewayEnvironment } from "../../environments/index.ts";
import type { Flow } from "../../flow/index.ts";
import { importFlowFile } from "../../shipping/index.ts";
import { BasicAuth } from "../../gateway/client/index.ts";
import { startGateway } from "../../gateway/server/index.ts";
import { printRunSummary } from "../run-summary.ts";

const examples: { file: string; parameters: Record<string, unknown> }[] = [
  { file: "times-two.ts", parameters: { x: Array.from({ length: 10 }, (_, i) => i) } },
  { file: "inc-dec-add.ts", parameters: {} },
];

/**
 * The README's main job: an embedded gateway (local backend, simple auth, a free port), and each
 * example flow run on its own cluster from it through a GatewayEnvironment with adaptive 1–5
 * workers.
 */
export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("run the example flows, each on its own cluster from an embedded gateway")
    .action(async () => {
      // One person's machine, one run: every cluster as this account, nothing kept afterwards.
      const gateway = await startGateway({
        address: "127.0.0.1:0",
        backend: "unsafe-local",
        db: ":memory:",
        logLevel: "warn",
      });
      process.stderr.write(`Embedded gateway listening at ${gateway.address}\n`);
      let failed = false;
      try {
        const environment = new GatewayEnvironment({
          gatewayAddress: gateway.address,
          auth: new BasicAuth("demo"),
          adaptiveMinWorkers: 1,
          adaptiveMaxWorkers: 5,
        });
        for (const example of examples) {
          const file = fileURLToPath(new URL(`../../../examples/${example.file}`, import.meta.url));
          const flow = (await importFlowFile(pathToFileURL(file).href))!.default as Flow<unknown>;
          const result = await environment.run(flow, { parameters: example.parameters });
          printRunSummary(result);
          failed ||= result.state.type !== "Success";
        }
      } finally {
        await gateway.close();
      }
      process.exitCode = failed ? 1 : 0;
    });
}
