import type { Command } from "commander";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../usage-error.ts";

interface UpFlags {
  db: string;
  label: string[];
  concurrency: string;
  demo?: boolean;
}

const EXAMPLES = [
  { file: "times-two.ts", parameters: { x: Array.from({ length: 10 }, (_, i) => i) } },
  { file: "inc-dec-add.ts", parameters: {} },
];

/**
 * `flowgate up [--db sqlite:PATH] [--demo]`: the whole product on one machine — an embedded
 * gateway (unsafe-local backend, simple auth: one account), a server and an agent that runs flows
 * without an environment on clusters from that gateway. With --demo it registers the two
 * example flows, runs each through the agent on its own cluster, prints their results and stops.
 */
export function registerUp(program: Command): void {
  program
    .command("up")
    .description(
      "start a gateway, a server and an agent on this machine (--demo: run the examples)",
    )
    .option("--db <url>", "the server's database", "sqlite:.flowgate/flowgate.db")
    .option(
      "--label <label>",
      "a label the agent offers (repeatable)",
      (v: string, l: string[]) => [...l, v],
      [],
    )
    .option("--concurrency <n>", "runs the agent executes at once", "4")
    .option("--demo", "register and run the example flows, print their results, then stop")
    .action(async (flags: UpFlags) => {
      const concurrency = Number(flags.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new UsageError(
          `--concurrency ${JSON.stringify(flags.concurrency)} is not a whole number ≥ 1`,
        );
      // The embedded gateway keeps its clusters beside the server's database (.flowgate/), not
      // in the user's default gateway folder, where a running `flowgate gateway` may be.
      const home = flags.db.startsWith("sqlite:")
        ? dirname(resolve(flags.db.slice(7)))
        : resolve(".flowgate");
      mkdirSync(home, { recursive: true });
      const [{ startGateway }, { FlowgateServer }, { Agent }] = await Promise.all([
        import("../../gateway/server/index.ts"),
        import("../../server/index.ts"),
        import("../../agent/index.ts"),
      ]);
      process.stderr.write("Starting the gateway, the server and an agent…\n");
      const gateway = await startGateway({
        address: "127.0.0.1:0",
        // One person's machine: every cluster runs as this account (see the README's backends).
        backend: "unsafe-local",
        stateDir: resolve(home, "gateway"),
        logLevel: "warn",
      });
      const stops: (() => Promise<void>)[] = [() => gateway.close()];
      const stopAll = async () => {
        for (const stop of stops.reverse()) await stop().catch(() => {});
      };
      try {
        const server = await FlowgateServer.start({
          address: "127.0.0.1:0",
          db: flags.db,
          gateway: gateway.address,
        });
        stops.push(() => server.close());
        const agent = await Agent.start({
          server: server.url,
          gateway: gateway.address,
          labels: flags.label,
          concurrency,
        });
        stops.push(() => agent.stop());
        process.stdout.write(
          [
            `Gateway: ${gateway.address} (dashboard ${gateway.address}/dashboard)`,
            `Server:  ${server.url} (API ${server.url}/api, OpenAPI ${server.url}/api/openapi.json)`,
            `Agent:   ${agent.options.name} (labels: ${agent.options.labels.join(", ") || "none"}; runs flows on the gateway)`,
            `flowgate up ready ${JSON.stringify({ gateway: gateway.address, server: server.url, agent: agent.options.name })}`,
            "",
          ].join("\n"),
        );
        if (flags.demo) {
          const ok = await runExamples(server.url);
          process.exitCode = ok ? 0 : 1;
          return;
        }
        process.stderr.write("Press Ctrl-C to stop.\n");
        await new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
      } finally {
        process.stderr.write("Stopping the agent, the server and the gateway…\n");
        await stopAll();
        process.stderr.write("Stopped.\n");
      }
    });
}

/** Registers both examples, creates a run of each, follows them and prints their results. */
async function runExamples(server: string): Promise<boolean> {
  const [
    { loadFlowFile },
    { registerFlow },
    { ServerClient },
    { authFromEnv },
    { followRun, runEndLine, showResult },
  ] = await Promise.all([
    import("../load-flow-file.ts"),
    import("../../agent/index.ts"),
    import("../../server/client/index.ts"),
    import("../../gateway/client/index.ts"),
    import("../run-follow.ts"),
  ]);
  const auth = authFromEnv();
  const client = new ServerClient({ address: server, auth });
  const runs: number[] = [];
  for (const example of EXAMPLES) {
    const file = fileURLToPath(new URL(`../../../examples/${example.file}`, import.meta.url));
    const flow = await loadFlowFile(file);
    const r = await registerFlow(flow, { server, auth }, client);
    process.stdout.write(
      `Registered '${flow.name}' version ${r.version}${r.created ? "" : " (unchanged)"}\n`,
    );
    const run = await client.createRun({ flow: r.flowId, parameters: example.parameters });
    process.stdout.write(`Created run ${run.id} of '${flow.name}'\n`);
    runs.push(run.id);
  }
  let ok = true;
  for (const id of runs) {
    const end = await followRun(client, id, { states: true });
    process.stdout.write(`${runEndLine(end)}\n`);
    if (end.state === "Success") process.stdout.write(`Result: ${showResult(end.result)}\n`);
    ok &&= end.state === "Success";
  }
  return ok;
}
