// Run created → Running on an agent (local backend, warm gateway), and registering 100 flows.
// Prints one JSON object per measurement. Numbers on a shared 2-core machine are noisy.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { registerFlow } from "../src/agent/register/register-flow.ts";
import { loadFlowFile } from "../src/cli/load-flow-file.ts";
import { FlowgateServer } from "../src/server/flowgate-server.ts";
import { BasicAuth } from "../src/gateway/client/index.ts";
import { ServerClient } from "../src/server/client/server-client.ts";
import { startGatewayProcess } from "../test/support/gateway-process.ts";
import { startAgentProcess } from "../test/agent/support.ts";

const auth = new BasicAuth("agent-tests");
const dir = mkdtempSync(join(tmpdir(), "flowgate-bench-agent-"));
const gateway = await startGatewayProcess();
const started = await FlowgateServer.start({
  address: "127.0.0.1:0",
  db: `sqlite:${join(dir, "bench.db")}`,
  log: () => {},
});
const server = { address: started.url, stop: () => started.close() };
const client = new ServerClient({ address: server.address, auth });
const agent = await startAgentProcess(server.address, ["--gateway", gateway.address]);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

try {
  // 1. Registering 100 distinct flows (bundle + upload + register), then again (unchanged).
  const files = Array.from({ length: 100 }, (_, i) => {
    const file = join(dir, `flow-${i}.ts`);
    writeFileSync(
      file,
      `import { Flow, Parameter, task } from "flowgate";\n` +
        `export const step${i} = task(function step${i}(x: number) { return x + ${i}; });\n` +
        `export default new Flow("bench-flow-${i}", () => step${i}(Parameter("x", { default: 1 })));\n`,
    );
    return file;
  });
  const flows = [];
  for (const f of files) flows.push(await loadFlowFile(f));
  let t = performance.now();
  for (const flow of flows) await registerFlow(flow, { server: server.address, auth }, client);
  const first = (performance.now() - t) / 1000;
  t = performance.now();
  for (const flow of flows) await registerFlow(flow, { server: server.address, auth }, client);
  const again = (performance.now() - t) / 1000;
  console.log(
    JSON.stringify({
      bench: "register 100 flows",
      seconds: +first.toFixed(2),
      unchangedSeconds: +again.toFixed(2),
    }),
  );

  // 2. Run created → Running on the agent, one run at a time (the gateway is warm after run 1).
  const timesTwo = await loadFlowFile(
    new URL("../examples/times-two.ts", import.meta.url).pathname,
  );
  const { flowId } = await registerFlow(timesTwo, { server: server.address, auth }, client);
  const latencies: number[] = [];
  for (let i = 0; i < 11; i++) {
    const run = await client.createRun({ flow: flowId });
    let end = run;
    while (!["Success", "Failed", "Crashed", "Cancelled"].includes(end.state)) {
      await new Promise((r) => setTimeout(r, 50));
      end = await client.getRun(run.id);
    }
    const running = (await client.runStates(run.id)).items.find((s) => s.state === "Running");
    if (i > 0 && running) latencies.push(running.at - run.createdAt);
  }
  latencies.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      bench: "run created → Running on an agent",
      runs: latencies.length,
      p50Ms: quantile(latencies, 0.5),
      p90Ms: quantile(latencies, 0.9),
      maxMs: latencies.at(-1),
      targetP50Ms: 1000,
    }),
  );
} finally {
  await agent.stop();
  await server.stop();
  await gateway.stop();
}
