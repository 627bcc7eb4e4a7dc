import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { registerFlow } from "../../src/agent/register/register-flow.ts";
import { loadFlowFile } from "../../src/cli/load-flow-file.ts";
import type { TaskRun } from "../../src/server/api/index.ts";
import type { ServerClient } from "../../src/server/client/server-client.ts";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.ts";
import { eventually, processesOfCluster } from "../support/processes.ts";
import {
  auth,
  clientOf,
  startAgentProcess,
  startServer,
  waitForRun,
  type AgentProcess,
  type TestServer,
} from "./support.ts";

const N = 40;
const gatedFile = new URL("../executors/fixtures/gated-flow.ts", import.meta.url).pathname;
let gateway: GatewayProcess;
let server: TestServer;
let client: ServerClient;
let flowId: number;
const agents: AgentProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), "flowgate-live-agent-"));

before(async () => {
  gateway = await startGatewayProcess();
  server = await startServer();
  client = clientOf(server);
  const flow = await loadFlowFile(gatedFile);
  flowId = (await registerFlow(flow, { server: server.address, auth }, client)).flowId;
});
after(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await server.stop();
  await gateway.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Every task run of the run, by "task#mapIndex". */
async function tasksOf(runId: number): Promise<Map<string, TaskRun>> {
  const out = new Map<string, TaskRun>();
  let cursor: string | undefined;
  do {
    const page = await client.listTasks(runId, { limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const t of page.items) out.set(`${t.task}#${t.mapIndex}`, t);
    cursor = page.next ?? undefined;
  } while (cursor);
  return out;
}

/**
 * Runs the gated flow through an agent (label `label`): while `gated` waits for its gate, the
 * server must show it Running (on a worker, for a cluster), `numbers` Success and every map
 * child Success, and its live event stream must carry those states; then the gate opens and the
 * run's final task states must agree.
 */
async function checkLiveThroughAgent(label: string, onCluster: boolean) {
  const gate = join(dir, `gate-${label}`);
  const created = await client.createRun({
    flow: flowId,
    labels: [label],
    parameters: { gate, n: N },
  });
  const abort = new AbortController();
  const streamed = new Map<string, string>();
  const stream = (async () => {
    for await (const ev of client.runEvents(created.id, abort.signal, { tasks: "live" }))
      if (ev.type === "tasks")
        for (const t of ev.tasks) streamed.set(`${t.task}#${t.mapIndex}`, t.state);
  })();
  try {
    let seen = new Map<string, TaskRun>();
    await eventually(
      "the server shows gated Running and every map child Success",
      async () => {
        seen = await tasksOf(created.id);
        return (
          seen.get("gated#-1")?.state === "Running" &&
          Array.from({ length: N }, (_, i) => seen.get(`square#${i}`)?.state).every(
            (s) => s === "Success",
          )
        );
      },
      120_000,
    );
    const run = await client.getRun(created.id);
    assert.equal(run.state, "Running", "the run is still going on");
    assert.equal(seen.get("numbers#-1")?.state, "Success");
    const gated = seen.get("gated#-1")!;
    assert.notEqual(gated.startedAt, null);
    assert.equal(gated.endedAt, null);
    if (onCluster) {
      assert.match(gated.worker ?? "", /./, "the running task run names its worker");
      assert.match(seen.get("square#5")?.worker ?? "", /./);
    }
    const child = seen.get("square#5")!;
    assert.ok(child.startedAt !== null && child.endedAt !== null);
    assert.ok(child.startedAt <= child.endedAt);
    await eventually(
      "the live event stream carried gated Running and the children",
      () => streamed.get("gated#-1") === "Running" && streamed.get(`square#${N - 1}`) === "Success",
    );

    writeFileSync(gate, "open");
    const ended = await waitForRun(client, created.id, "Success", (r) => r.state === "Success");
    const final = await tasksOf(created.id);
    assert.equal(final.get("gated#-1")?.state, "Success");
    assert.equal(final.get("square#-1")?.state, "Mapped");
    for (let i = 0; i < N; i++) assert.equal(final.get(`square#${i}`)?.state, "Success");
    await stream;
    assert.equal(streamed.get("gated#-1"), "Success", "the stream ends with the final states");
    if (onCluster) {
      const name = ended.cluster!.name;
      await eventually(
        `no process of cluster ${name} remains`,
        () => processesOfCluster(name).length === 0,
        60_000,
      );
    }
  } finally {
    writeFileSync(gate, "open");
    abort.abort();
    await stream.catch(() => {});
  }
}

test("agents - live task states: a local run's task runs show on the server while it runs", async () => {
  const agent = await startAgentProcess(server.address, [
    "--name",
    "live-local",
    "--label",
    "live-local",
  ]);
  agents.push(agent);
  await checkLiveThroughAgent("live-local", false);
});

test("agents - live task states: a gateway cluster run's task runs show with their workers while it runs", async () => {
  const agent = await startAgentProcess(server.address, [
    "--gateway",
    gateway.address,
    "--name",
    "live-cluster",
    "--label",
    "live-cluster",
  ]);
  agents.push(agent);
  await checkLiveThroughAgent("live-cluster", true);
});
