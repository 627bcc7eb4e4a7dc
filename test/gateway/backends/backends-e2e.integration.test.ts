// examples/times-two.ts through a real gateway (in-process startGateway) whose clusters run on
// Slurm jobs or podman containers, with the real scheduler and workers. Skipped with a
// message when the engine is missing or the gateway does not offer the backend yet.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import timesTwo from "../../../examples/times-two.ts";
import { GatewayEnvironment } from "../../../src/environments/index.ts";
import { BasicAuth, Gateway } from "../../../src/gateway/client/index.ts";
import {
  resolveGatewayConfig,
  startGateway,
  type GatewayConfig,
} from "../../../src/gateway/server/index.ts";
import { ContainerBackend } from "../../../src/gateway/server/backends/container/container-backend.ts";
import { resolveContainerOptions } from "../../../src/gateway/server/backends/container/container-options.ts";
import { SlurmBackend } from "../../../src/gateway/server/backends/slurm/slurm-backend.ts";
import { resolveSlurmOptions } from "../../../src/gateway/server/backends/slurm/slurm-options.ts";
import { findEngine, findSlurm } from "./fixtures/engines.ts";
import { until } from "./fixtures/records.ts";

const workerImage = process.env.FLOWGATE_TEST_IMAGE ?? "localhost/flowgate-worker:test";
const slurm = findSlurm();
const engine = await findEngine(workerImage);

/** Skip message when the gateway config does not accept `backend` yet. */
function offered(backend: string): string | false {
  try {
    resolveGatewayConfig({ backend } as unknown as GatewayConfig);
    return false;
  } catch (e) {
    return `the gateway does not offer backend ${JSON.stringify(backend)} yet (${(e as Error).message})`;
  }
}

async function runTimesTwo(config: Record<string, unknown>): Promise<string> {
  const gw = await startGateway({
    address: "127.0.0.1:0",
    db: ":memory:",
    logLevel: "warn",
    ...config,
  } as GatewayConfig);
  try {
    const auth = new BasicAuth("alice");
    const env = new GatewayEnvironment({
      gatewayAddress: gw.address,
      auth,
      adaptiveMinWorkers: 1,
      adaptiveMaxWorkers: 2,
    });
    const r = await env.run(timesTwo, {
      parameters: { x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] },
      printLogs: false,
    });
    assert.equal(r.state.type, "Success");
    assert.equal(r.outputs, 90);
    const name = r.placement.cluster!.name;
    const client = new Gateway({ address: gw.address, auth });
    await until(
      async () => (await client.getCluster(name)).status === "STOPPED",
      30_000,
      `cluster ${name} to stop`,
    );
    const res = await fetch(`${gw.address}/api/v1/clusters/${name}/logs`, {
      headers: { Authorization: `Basic ${Buffer.from("alice:").toString("base64")}` },
    });
    const logs = await res.text();
    assert.match(logs, /==> scheduler\.log <==\nflowgate scheduler ready/);
    assert.match(logs, /flowgate worker ready/);
    return name;
  } finally {
    await gw.close();
  }
}

/** A scheduler that cannot start (a broken NODE_OPTIONS) fails the cluster with the engine's reason. */
async function brokenScheduler(config: Record<string, unknown>, reason: RegExp): Promise<string> {
  const gw = await startGateway({
    address: "127.0.0.1:0",
    db: ":memory:",
    logLevel: "warn",
    ...config,
  } as GatewayConfig);
  try {
    const client = new Gateway({ address: gw.address, auth: new BasicAuth("alice") });
    const res = await fetch(`${gw.address}/api/v1/clusters/`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Authorization: `Basic ${Buffer.from("alice:").toString("base64")}`,
      },
      body: JSON.stringify({
        cluster_options: { environment: { NODE_OPTIONS: "--require /nonexistent/preload.js" } },
      }),
    });
    const { name } = (await res.json()) as { name: string };
    await until(
      async () => (await client.getCluster(name)).status === "FAILED",
      60_000,
      `cluster ${name} to fail`,
    );
    const model = (await (
      await fetch(`${gw.address}/api/v1/clusters/${name}?extended=true`, {
        headers: { Authorization: `Basic ${Buffer.from("alice:").toString("base64")}` },
      })
    ).json()) as { stop_reason: string };
    assert.match(model.stop_reason, reason);
    assert.match(await client.clusterLogs(name), /nonexistent\/preload\.js/);
    return name;
  } finally {
    await gw.close();
  }
}

describe("backends end to end", { timeout: 180_000 }, () => {
  test(
    "slurm - times-two gives 90 on a cluster of Slurm jobs, and no job remains",
    { skip: ("skip" in slurm && slurm.skip) || offered("slurm") },
    async () => {
      const conf = "conf" in slurm ? slurm.conf : undefined;
      const slurmConfig = { requestMemory: false, schedulerHost: "127.0.0.1", slurmConf: conf };
      const name = await runTimesTwo({ backend: "slurm", slurm: slurmConfig });
      const b = new SlurmBackend(resolveSlurmOptions(slurmConfig, "/nonexistent"));
      assert.deepEqual(await b.listJobs(name), []);
    },
  );

  test(
    "container - times-two gives 90 on a cluster of podman containers, and no container remains",
    { skip: ("skip" in engine && engine.skip) || offered("container") },
    async () => {
      const containerConfig = {
        socketPath: "socketPath" in engine ? engine.socketPath : "",
        image: workerImage,
      };
      const name = await runTimesTwo({ backend: "container", container: containerConfig });
      const b = new ContainerBackend(resolveContainerOptions(containerConfig, "/nonexistent"));
      assert.deepEqual(await b.listContainers(name), []);
    },
  );

  test(
    "slurm - a scheduler job that fails gives the cluster Slurm's reason",
    { skip: ("skip" in slurm && slurm.skip) || offered("slurm") },
    async () => {
      const slurmConfig = {
        requestMemory: false,
        schedulerHost: "127.0.0.1",
        slurmConf: "conf" in slurm ? slurm.conf : undefined,
      };
      const name = await brokenScheduler(
        { backend: "slurm", slurm: slurmConfig },
        /scheduler exited before connecting.*Slurm job \d+ FAILED \(NonZeroExitCode\), exit code 1/,
      );
      assert.deepEqual(
        await new SlurmBackend(resolveSlurmOptions(slurmConfig, "/nonexistent")).listJobs(name),
        [],
      );
    },
  );

  test(
    "container - a scheduler container that fails gives the cluster the engine's reason",
    { skip: ("skip" in engine && engine.skip) || offered("container") },
    async () => {
      const containerConfig = {
        socketPath: "socketPath" in engine ? engine.socketPath : "",
        image: workerImage,
      };
      const name = await brokenScheduler(
        { backend: "container", container: containerConfig },
        /scheduler exited before connecting.*container flowgate-\S+-scheduler exited with code 1/,
      );
      assert.deepEqual(
        await new ContainerBackend(
          resolveContainerOptions(containerConfig, "/nonexistent"),
        ).listContainers(name),
        [],
      );
    },
  );
});
