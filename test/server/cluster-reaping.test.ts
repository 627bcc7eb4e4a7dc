import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BasicAuth } from "../../src/gateway/client/auth.ts";
import { Gateway } from "../../src/gateway/client/gateway.ts";
import { startGatewayProcess } from "../support/gateway-process.ts";
import { eventually, processesOfCluster } from "../support/processes.ts";
import { registerTestFlow, startTestServer, testDatabase } from "./support/test-server.ts";

test("cluster reaping - an agent goes silent: the run is Crashed and the server stops its cluster through the gateway", async () => {
  const db = await testDatabase("sqlite");
  // no warm processes, so the cluster's own processes carry its name and can be counted
  const config = join(dirname(db.url.slice("sqlite:".length)), "gateway.json");
  writeFileSync(config, JSON.stringify({ local: { warmProcesses: 0 } }));
  const gw = await startGatewayProcess(["--config", config]);
  const t = await startTestServer(db.url, {
    agentTimeoutMs: 1500,
    gatewayAuth: new BasicAuth("ada"),
  });
  let name: string | undefined;
  try {
    const gateway = new Gateway({ address: gw.address, auth: new BasicAuth("ada") });
    name = await gateway.submit();
    await eventually(
      "the cluster runs",
      async () => (await gateway.getCluster(name!)).status === "RUNNING",
      30_000,
    );
    assert.ok(processesOfCluster(name).length > 0);

    const c = t.client("ada");
    const flow = await registerTestFlow(c, "reaped");
    const { agent } = await c.registerAgent({ name: "short-lived", labels: [] });
    const run = await c.createRun({ flow });
    await c.claim(agent.id, { waitMs: 0 });
    await c.setRunState(run.id, { state: "Running" });
    await c.setCluster(run.id, { name, gateway: gw.address, status: "RUNNING" });
    // the agent now sends nothing more, as if SIGKILLed
    await eventually(
      "the run is Crashed",
      async () => (await c.getRun(run.id)).state === "Crashed",
      20_000,
    );
    assert.match(
      (await c.getRun(run.id)).stateReason ?? "",
      /agent short-lived .* sent no heartbeat/,
    );
    await eventually(
      "the cluster is STOPPED",
      async () => (await gateway.getCluster(name!)).status === "STOPPED",
      30_000,
    );
    await eventually(
      "the run records the stopped cluster",
      async () => (await c.getRun(run.id)).cluster?.status === "STOPPED",
      10_000,
    );
    await eventually(
      "no process of the cluster remains",
      () => processesOfCluster(name!).length === 0,
      15_000,
    );
  } finally {
    await t.close();
    await gw.stop();
    await db.drop();
  }
  assert.deepEqual(processesOfCluster(name!), []);
});
