import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { registerFlow } from "../../src/agent/register/register-flow.ts";
import { loadFlowFile } from "../../src/cli/load-flow-file.ts";
import { Gateway } from "../../src/gateway/client/index.ts";
import type { Run } from "../../src/server/api/index.ts";
import type { ServerClient } from "../../src/server/client/server-client.ts";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.ts";
import { eventually, processesOfCluster } from "../support/processes.ts";
import {
  auth,
  clientOf,
  fixture,
  startAgentProcess,
  startServer,
  type TestServer,
  waitForRun,
  type AgentProcess,
} from "./support.ts";

let gateway: GatewayProcess;
let server: TestServer;
let client: ServerClient;
let flowId: number;
const agents: AgentProcess[] = [];

before(async () => {
  gateway = await startGatewayProcess();
  server = await startServer({ agentTimeoutMs: 3000 });
  client = clientOf(server);
  const flow = await loadFlowFile(fixture("slow-flow.ts"));
  flowId = (await registerFlow(flow, { server: server.address, auth }, client)).flowId;
});
after(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await server.stop();
  await gateway.stop();
});

/** A run (needing `label`) that is Running on its cluster with tasks going on. */
async function runOnCluster(label: string): Promise<{ run: Run; cluster: string }> {
  const created = await client.createRun({ flow: flowId, labels: [label] });
  const run = await waitForRun(
    client,
    created.id,
    "Running on a RUNNING cluster",
    (r) => r.state === "Running" && r.cluster?.status === "RUNNING",
  );
  // A task's log line, with the worker that runs it, says the cluster is working on the run.
  await eventually(
    "a task logged from a worker",
    async () =>
      (await client.logs(run.id)).items.some((l) => l.task === "hold" && l.worker !== null),
    60_000,
  );
  return { run, cluster: run.cluster!.name };
}

async function assertClusterGone(name: string) {
  const gw = new Gateway({ address: gateway.address, auth });
  await eventually(
    `cluster ${name} is STOPPED`,
    async () => (await gw.getCluster(name)).status === "STOPPED",
    60_000,
  );
  await eventually(
    `no process of cluster ${name} remains`,
    () => processesOfCluster(name).length === 0,
    30_000,
  );
}

test("agents - cancelling a run stops the flow and its cluster: Cancelled, cluster STOPPED, no process left", async () => {
  const agent = await startAgentProcess(server.address, [
    "--gateway",
    gateway.address,
    "--name",
    "cancel-agent",
    "--label",
    "cancel",
  ]);
  agents.push(agent);
  const { run, cluster } = await runOnCluster("cancel");
  await eventually("the task run shows Running on its worker", async () =>
    (await client.listTasks(run.id)).items.some(
      (t) => t.task === "hold" && t.mapIndex >= 0 && t.state === "Running" && t.worker !== null,
    ),
  );
  assert.equal((await client.cancelRun(run.id)).state, "Cancelling");
  const ended = await waitForRun(
    client,
    run.id,
    "Cancelled",
    (r) => r.state === "Cancelled",
    30_000,
  );
  assert.match(ended.stateReason ?? "", /cancel/i);
  assert.equal(ended.cluster?.status, "STOPPED");
  await assertClusterGone(cluster);
  assert.equal(agent.child.exitCode, null, "the agent goes on after a cancelled run");
});

test("agents - a SIGKILLed agent's run is marked Crashed by the server, and its cluster is stopped", async () => {
  const agent = await startAgentProcess(server.address, [
    "--gateway",
    gateway.address,
    "--name",
    "doomed-agent",
    "--label",
    "doomed",
  ]);
  const { run, cluster } = await runOnCluster("doomed");
  agent.child.kill("SIGKILL");
  const crashed = await waitForRun(client, run.id, "Crashed", (r) => r.state === "Crashed", 30_000);
  assert.match(crashed.stateReason ?? "", /doomed-agent|agent/);
  await assertClusterGone(cluster);
});

test("agents - SIGTERM: the agent cancels its run, stops the cluster, reports the run Crashed and exits", async () => {
  const agent = await startAgentProcess(server.address, [
    "--gateway",
    gateway.address,
    "--name",
    "terminated-agent",
    "--label",
    "terminated",
  ]);
  const { run, cluster } = await runOnCluster("terminated");
  agent.child.kill("SIGTERM");
  const [code] = (await once(agent.child, "exit")) as [number | null];
  assert.equal(code, 0, agent.output());
  const ended = await client.getRun(run.id);
  assert.equal(ended.state, "Crashed");
  assert.match(ended.stateReason ?? "", /agent was stopped/);
  assert.equal(ended.cluster?.status, "STOPPED");
  await assertClusterGone(cluster);
  assert.equal(
    (await client.listAgents()).items.some((a) => a.id === agent.id && a.live),
    false,
    "the agent deregistered",
  );
});
