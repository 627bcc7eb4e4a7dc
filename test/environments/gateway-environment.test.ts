import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import timesTwo from "../../examples/times-two.ts";
import incDecAdd from "../../examples/inc-dec-add.ts";
import {
  GatewayEnvironment,
  EnvironmentCallbackError,
  EnvironmentOptionsError,
} from "../../src/environments/index.ts";
import { BasicAuth, Gateway } from "../../src/gateway/client/index.ts";
import { failingFlow, holdingFlow } from "./fixtures/flows.ts";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.ts";
import { eventually, processesOfCluster } from "../support/processes.ts";

const bin = new URL("../../bin/flowgate.js", import.meta.url).pathname;
const slowFlowFile = new URL("./fixtures/slow-flow.ts", import.meta.url).pathname;
let gateway: GatewayProcess;

before(async () => {
  gateway = await startGatewayProcess();
});
after(async () => {
  await gateway.stop();
});

function environment(extra: ConstructorParameters<typeof GatewayEnvironment>[0] = {}) {
  return new GatewayEnvironment({
    gatewayAddress: gateway.address,
    auth: new BasicAuth("alice"),
    adaptiveMinWorkers: 1,
    adaptiveMaxWorkers: 2,
    ...extra,
  });
}

/** Asserts that the run's cluster is STOPPED and none of its processes remain. */
async function assertClusterGone(name: string) {
  const client = new Gateway({ address: gateway.address, auth: new BasicAuth("alice") });
  await eventually(
    `cluster ${name} is stopped`,
    async () => (await client.getCluster(name)).status === "STOPPED",
  );
  await eventually(
    `no process of cluster ${name} remains`,
    () => processesOfCluster(name).length === 0,
  );
}

test("gateway environment - both examples give 90, each on its own cluster that is then stopped", async () => {
  const env = environment();
  const a = await env.run(timesTwo, {
    parameters: { x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] },
    printLogs: false,
  });
  const b = await env.run(incDecAdd, { printLogs: false });
  assert.equal(a.outputs, 90);
  assert.equal(b.outputs, 90);
  const names = [a.placement.cluster!.name, b.placement.cluster!.name];
  assert.notEqual(names[0], names[1]);
  const created = a.logs.find((r) => r.message.startsWith("Cluster created."));
  assert.match(created!.message, /^Cluster created\. Scheduler address: \S+ Dashboard: \S+$/);
  for (const n of names) await assertClusterGone(n);
});

test("gateway environment - a flow with a failing task still shuts its cluster down", async () => {
  const r = await environment().run(failingFlow, { printLogs: false });
  assert.equal(r.state.type, "Failed");
  assert.equal(r.taskState("explode").message, "exploded on purpose");
  await assertClusterGone(r.placement.cluster!.name);
});

test("gateway environment - the defaults rule: min undefined → 1, max undefined → min, with a warning", async () => {
  const r = await new GatewayEnvironment({
    gatewayAddress: gateway.address,
    auth: new BasicAuth("alice"),
  }).run(timesTwo, { printLogs: false });
  assert.equal(r.outputs, 12);
  assert.ok(
    r.logs.some(
      (l) => l.level === "WARNING" && /adaptiveMaxWorkers is not set.*cannot grow/.test(l.message),
    ),
  );
  assert.ok(r.logs.some((l) => /between 1 and 1 workers/.test(l.message)));
  assert.throws(
    () =>
      new GatewayEnvironment({
        gatewayAddress: gateway.address,
        adaptiveMinWorkers: 3,
        adaptiveMaxWorkers: 2,
      }),
    EnvironmentOptionsError,
  );
  assert.throws(
    () =>
      new GatewayEnvironment({
        gatewayAddress: gateway.address,
        workers: 2,
        adaptiveMaxWorkers: 2,
      }),
    EnvironmentOptionsError,
  );
});

test("gateway environment - onExecute sizes the cluster from the run's parameters", async () => {
  const seen: unknown[] = [];
  const env = environment({
    onExecute: (parameters, plan) => {
      seen.push(parameters.ms, { ...plan.clusterOptions });
      return { workers: 3, adaptiveMinWorkers: undefined, adaptiveMaxWorkers: undefined };
    },
  });
  const r = await env.run(holdingFlow, { parameters: { ms: 2500 }, printLogs: false });
  assert.equal(r.state.type, "Success");
  assert.deepEqual(seen, [2500, {}]);
  assert.ok(r.logs.some((l) => /Scaling cluster \S+ to 3 workers/.test(l.message)));
  assert.ok(
    r.logs.some((l) => /workers: 3 running/.test(l.message)),
    r.logs.map((l) => l.message).join("\n"),
  );
  await assertClusterGone(r.placement.cluster!.name);
});

test("gateway environment - an error in onExecute fails the run with a clear message and makes no cluster", async () => {
  const env = environment({
    onExecute: () => {
      throw new Error("no budget today");
    },
  });
  await assert.rejects(
    env.run(timesTwo, { printLogs: false }),
    (e: unknown) =>
      e instanceof EnvironmentCallbackError &&
      /onExecute callback failed: no budget today/.test(e.message),
  );
});

test("gateway environment - a wrong address, a wrong password and a stopped gateway are clear errors before any task runs", async () => {
  let ran = false;
  const onFirstTaskStarted = () => (ran = true);
  await assert.rejects(
    new GatewayEnvironment({ gatewayAddress: "http://127.0.0.1:9" }).run(timesTwo, {
      printLogs: false,
      onFirstTaskStarted,
    }),
    /could not reach the flowgate gateway at http:\/\/127\.0\.0\.1:9/,
  );
  const locked = await startGatewayProcess([
    "--config",
    new URL("./fixtures/password-gateway.json", import.meta.url).pathname,
  ]);
  try {
    await assert.rejects(
      new GatewayEnvironment({
        gatewayAddress: locked.address,
        auth: new BasicAuth("alice", "wrong"),
      }).run(timesTwo, { printLogs: false, onFirstTaskStarted }),
      /401|credentials|password/i,
    );
  } finally {
    await locked.stop();
  }
  await assert.rejects(
    new GatewayEnvironment({ gatewayAddress: locked.address }).run(timesTwo, {
      printLogs: false,
      onFirstTaskStarted,
    }),
    /could not reach the flowgate gateway/,
  );
  assert.equal(ran, false);
});

test("gateway environment - two runs at once get two separate clusters", async () => {
  const env = environment();
  const [a, b] = await Promise.all([
    env.run(holdingFlow, { parameters: { ms: 800 }, printLogs: false }),
    env.run(holdingFlow, { parameters: { ms: 800 }, printLogs: false }),
  ]);
  assert.notEqual(a.placement.cluster!.name, b.placement.cluster!.name);
  await assertClusterGone(a.placement.cluster!.name);
  await assertClusterGone(b.placement.cluster!.name);
});

async function startRunner(extra: string[]) {
  const child = spawn(
    process.execPath,
    [
      bin,
      "run",
      slowFlowFile,
      "--gateway",
      gateway.address,
      "--user",
      "alice",
      "--param",
      "ms=60000",
      ...extra,
    ],
    {
      env: { ...process.env, FLOWGATE_LOG_LEVEL: "INFO" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  await eventually(
    "the runner's task is running on its cluster",
    () => /holding/.test(err),
    30_000,
  );
  const name = /Cluster created\. Scheduler address: \S+\/clusters\/([^/\s]+)\//.exec(err)?.[1];
  assert.ok(name, err);
  return { child, name, stderr: () => err };
}

test("gateway environment - SIGTERM to the runner shuts its cluster down", async () => {
  const runner = await startRunner([]);
  runner.child.kill("SIGTERM");
  await once(runner.child, "exit");
  assert.match(runner.stderr(), /Received SIGTERM/);
  await assertClusterGone(runner.name);
});

test("gateway environment - after SIGKILL of the runner the gateway stops the cluster within the lease time", async () => {
  const runner = await startRunner(["--lease-ttl", "2"]);
  const killedAt = Date.now();
  runner.child.kill("SIGKILL");
  await once(runner.child, "exit");
  await assertClusterGone(runner.name);
  assert.ok(Date.now() - killedAt < 2_000 + 5_000, `took ${Date.now() - killedAt} ms`);
  const model = await new Gateway({
    address: gateway.address,
    auth: new BasicAuth("alice"),
  }).getCluster(runner.name);
  assert.match(String(model.stopReason), /lease/);
});

test("gateway environment - keepClusterOnError keeps a failed run's cluster, past its lease, until stopped", async () => {
  const r = await environment({ keepClusterOnError: true, leaseTtl: 2 }).run(failingFlow, {
    printLogs: false,
  });
  assert.equal(r.state.type, "Failed");
  const name = r.placement.cluster!.name;
  assert.ok(r.logs.some((l) => l.message.includes(`flowgate clusters stop ${name}`)));
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  const client = new Gateway({ address: gateway.address, auth: new BasicAuth("alice") });
  assert.equal((await client.getCluster(name)).status, "RUNNING");
  await client.stopCluster(name);
  await assertClusterGone(name);
});
