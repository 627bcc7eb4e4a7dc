import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Gateway } from "../../src/gateway/client/index.ts";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.ts";
import { eventually, processesOfCluster } from "../support/processes.ts";
import {
  auth,
  cli,
  clientOf,
  startAgentProcess,
  startServer,
  type TestServer,
  type AgentProcess,
} from "./support.ts";

const timesTwo = new URL("../../examples/times-two.ts", import.meta.url).pathname;
let gateway: GatewayProcess;
let server: TestServer;
let agent: AgentProcess;

before(async () => {
  gateway = await startGatewayProcess();
  server = await startServer();
  agent = await startAgentProcess(server.address, ["--gateway", gateway.address]);
});
after(async () => {
  await agent?.stop();
  await server?.stop();
  await gateway?.stop();
});

test("agents - register, run with --wait through a real gateway: result, cluster, cost, logs, task states", async () => {
  const reg = await cli(["register", timesTwo, "--server", server.address, "--json"]);
  assert.equal(reg.code, 0, reg.stderr);
  const registered = JSON.parse(reg.stdout) as {
    flowId: number;
    version: number;
    created: boolean;
  };
  assert.equal(registered.created, true);
  const again = await cli(["register", timesTwo, "--server", server.address, "--json"]);
  assert.deepEqual(
    { ...JSON.parse(again.stdout), created: true },
    { ...registered, created: true, flow: "times-two" },
  );
  assert.equal(
    (JSON.parse(again.stdout) as { created: boolean }).created,
    false,
    "an unchanged bundle is no new version",
  );

  const x = JSON.stringify(Array.from({ length: 10 }, (_, i) => i));
  const created = await cli([
    "runs",
    "create",
    "times-two",
    "--server",
    server.address,
    "--param",
    `x=${x}`,
    "--wait",
  ]);
  assert.equal(created.code, 0, created.stdout + created.stderr);
  assert.match(created.stdout, /^Result: 90$/m);
  assert.match(created.stderr, /Cluster created\. Scheduler address: \S+ Dashboard: \S+/);
  const runId = Number(/^Run (\d+) /m.exec(created.stdout)![1]);

  const client = clientOf(server);
  const run = await client.getRun(runId);
  assert.equal(run.state, "Success");
  assert.equal(run.result, 90);
  assert.ok(run.cluster, "the run records its cluster");
  assert.equal(run.cluster.status, "STOPPED");
  assert.match(run.cluster.dashboardLink ?? "", /^http:\/\/.+\/clusters\/.+\/status$/);
  assert.equal(run.cluster.gateway, gateway.address);
  assert.ok(
    run.cost && run.cost.workerSeconds > 0 && run.cost.taskSeconds >= 0,
    JSON.stringify(run.cost),
  );

  const tasks = (await client.listTasks(runId, { limit: 1000 })).items;
  assert.equal(
    tasks.filter((t) => t.task === "timesTwo" && t.mapIndex >= 0 && t.state === "Success").length,
    10,
  );
  assert.ok(tasks.some((t) => t.task === "getSum" && t.state === "Success"));

  const logs = await cli(["runs", "logs", String(runId), "--server", server.address]);
  assert.equal(logs.code, 0, logs.stderr);
  assert.match(logs.stdout, /Cluster created\./);
  assert.match(logs.stdout, /Flow run SUCCESS/);

  const followed = await cli([
    "runs",
    "logs",
    String(runId),
    "--follow",
    "--server",
    server.address,
  ]);
  assert.equal(followed.code, 0, followed.stderr);
  assert.equal(
    followed.stdout,
    logs.stdout,
    "--follow of a finished run prints its whole log, then ends",
  );

  const list = await cli([
    "runs",
    "list",
    "--server",
    server.address,
    "--json",
    "--state",
    "Success",
  ]);
  assert.ok((JSON.parse(list.stdout) as { id: number }[]).some((r) => r.id === runId));

  const gw = new Gateway({ address: gateway.address, auth });
  assert.equal((await gw.getCluster(run.cluster.name)).status, "STOPPED");
  await eventually(
    "no process of the run's cluster remains",
    () => processesOfCluster(run.cluster!.name).length === 0,
  );
});

test("agents - runs create --wait exits non-zero unless the run succeeds (an unknown parameter)", async () => {
  const bad = await cli([
    "runs",
    "create",
    "times-two",
    "--server",
    server.address,
    "--param",
    "nope=1",
    "--wait",
  ]);
  assert.notEqual(bad.code, 0, bad.stdout);
  assert.match(bad.stdout + bad.stderr, /nope/);
  assert.doesNotMatch(bad.stdout, /^Result:/m);
});
