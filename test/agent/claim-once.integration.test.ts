import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { registerFlow } from "../../src/agent/register/register-flow.ts";
import { loadFlowFile } from "../../src/cli/load-flow-file.ts";
import {
  auth,
  clientOf,
  fixture,
  startAgentProcess,
  startServer,
  type TestServer,
  tempDir,
  waitForRun,
  type AgentProcess,
} from "./support.ts";

let server: TestServer;
const agents: AgentProcess[] = [];

before(async () => {
  server = await startServer();
});
after(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await server.stop();
});

test("agents - 100 runs and 3 agents: every run executes exactly once, on one agent", async () => {
  const client = clientOf(server);
  const flow = await loadFlowFile(fixture("quick-flow.ts"));
  const { flowId } = await registerFlow(flow, { server: server.address, auth }, client);
  for (let i = 0; i < 3; i++)
    agents.push(
      await startAgentProcess(server.address, ["--concurrency", "4", "--name", `claim-${i}`]),
    );
  const marker = join(tempDir(), "marker.txt");
  writeFileSync(marker, "");
  const ids = await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      client.createRun({ flow: flowId, parameters: { i, marker } }).then((r) => r.id),
    ),
  );
  const runs = await Promise.all(
    ids.map((id) =>
      waitForRun(
        client,
        id,
        "a final state",
        (r) => ["Success", "Failed", "Crashed", "Cancelled"].includes(r.state),
        120_000,
      ),
    ),
  );
  assert.deepEqual(
    runs.filter((r) => r.state !== "Success").map((r) => [r.id, r.state, r.stateReason]),
    [],
  );
  runs.forEach((r, i) => assert.equal(r.result, i * 2));
  const executed = readFileSync(marker, "utf8")
    .trim()
    .split("\n")
    .map(Number)
    .sort((a, b) => a - b);
  assert.deepEqual(
    executed,
    Array.from({ length: 100 }, (_, i) => i),
    "each run's task ran exactly once",
  );
  const agentIds = new Set(agents.map((a) => a.id));
  for (const r of runs) {
    assert.ok(
      r.agentId !== null && agentIds.has(r.agentId),
      `run ${r.id} was executed by a known agent`,
    );
    const states = (await client.runStates(r.id)).items.map((s) => s.state);
    assert.equal(
      states.filter((s) => s === "Submitted").length,
      1,
      `run ${r.id} was claimed once: ${states.join(" → ")}`,
    );
    assert.equal(
      states.filter((s) => s === "Running").length,
      1,
      `run ${r.id} ran once: ${states.join(" → ")}`,
    );
  }
});
