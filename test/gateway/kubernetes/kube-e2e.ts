import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import timesTwo from "../../../examples/times-two.ts";
import { GatewayEnvironment } from "../../../src/environments/index.ts";
import { BasicAuth, Gateway } from "../../../src/gateway/client/index.ts";
import type { GatewayConfig, RunningGateway } from "../../../src/gateway/server/index.ts";
import { FakeKubeApi } from "./fake-kube-api.ts";
import { until } from "./kube-harness.ts";

const flowgateBin = new URL("../../../bin/flowgate.js", import.meta.url).pathname;

/**
 * Runs examples/times-two.ts through a gateway (started by `start`) whose `kubernetes` backend
 * talks to the fake API server, which runs the real `flowgate scheduler` and `flowgate worker`
 * as pod processes. Checks the result, the stop, the logs and that nothing is left behind.
 */
export async function timesTwoOnFakeKubernetes(
  start: (c: GatewayConfig) => Promise<RunningGateway>,
): Promise<void> {
  const api = await FakeKubeApi.start();
  const dir = mkdtempSync(join(tmpdir(), "fg-kube-e2e-"));
  try {
    const kubernetes = {
      kubeconfig: api.writeKubeconfig(dir, "flowgate-e2e"),
      schedulerCommand: [process.execPath, flowgateBin, "scheduler"],
      workerCommand: [process.execPath, flowgateBin, "worker"],
      schedulerPort: 0,
      dashboardPort: 0,
      // Pods share this host, so the address the scheduler reports is reachable; a real
      // cluster uses the default, the scheduler's service.
      workerSchedulerAddress: "reported",
      stopGraceSeconds: 5,
    };
    const gw = await start({
      address: "127.0.0.1:0",
      db: ":memory:",
      logLevel: "warn",
      backend: "kubernetes",
      kubernetes,
    } as unknown as GatewayConfig);
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
        `cluster ${name} to stop`,
        30_000,
      );
      const logs = await client.clusterLogs(name);
      assert.match(logs, /-scheduler \(deleted\) <==\n[^]*flowgate scheduler ready/);
      // The scheduler listens on 0.0.0.0 but reports its pod IP (the fake kubelet's 127.0.0.1),
      // and that reported address is what the workers were given ("reported" mode) and used.
      assert.match(logs, /flowgate scheduler ready \{"address":"tls:\/\/127\.0\.0\.1:\d+"/);
      assert.doesNotMatch(logs, /0\.0\.0\.0/);
      assert.match(logs, /flowgate worker ready/);
    } finally {
      await gw.close();
    }
    assert.deepEqual(
      [...api.list("pods"), ...api.list("services"), ...api.list("secrets")].map(
        (o) => o.metadata.name,
      ),
      [],
      "nothing left in the fake cluster",
    );
    assert.deepEqual(api.pids(), [], "no pod process left");
  } finally {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
