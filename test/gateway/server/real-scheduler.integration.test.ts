import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  api,
  clusterProcesses,
  createRunning,
  startTestGateway,
  tempDir,
  testConfig,
  waitFor,
  type TestGateway,
  stopAndClean,
} from "./helpers/harness.ts";

const root = new URL("../../../", import.meta.url).pathname;
const realSchedulerWorks =
  spawnSync(process.execPath, [join(root, "bin/flowgate.js"), "scheduler", "--help"], {
    timeout: 60_000,
  }).status === 0;

describe(
  "gateway with the real flowgate scheduler and workers",
  { skip: !realSchedulerWorks && "flowgate scheduler does not run yet" },
  () => {
    const dir = tempDir();
    let gw: TestGateway;
    before(async () => {
      const cfg = testConfig(dir, {
        adaptivePeriodMs: 300,
        clusterStartTimeoutMs: 60_000,
        workerStartTimeoutMs: 60_000,
      });
      delete cfg.local; // the default commands: node bin/flowgate.js scheduler|worker
      gw = await startTestGateway(cfg, dir);
    });
    after(() => stopAndClean(gw, dir));

    it(
      "adaptive scaling goes 0 -> n -> 0 around a burst of work run through the gateway's tunnel",
      { timeout: 120_000 },
      async () => {
        const { ClusterExecutor } = await import("../../../src/executors/cluster-executor.ts");
        const flow = (await import("./fixtures/burst-flow.ts")).default;
        const a = gw.address;
        const name = await createRunning(a);
        const model = (await api(a, "GET", `/api/v1/clusters/${name}?extended=true`)).body;
        assert.match(model.scheduler_address, /^tls:\/\/127\.0\.0\.1:\d+$/);
        assert.deepEqual(
          (
            await api(a, "POST", `/api/v1/clusters/${name}/adapt`, {
              body: { minimum: 0, maximum: 3 },
            })
          ).body,
          { ok: true, msg: null },
        );
        await new Promise((r) => setTimeout(r, 1000));
        assert.equal(
          (await api(a, "GET", `/api/v1/clusters/${name}?extended=true`)).body.workers.running,
          0,
        );

        let peak = 0;
        let polling = true;
        const poll = (async () => {
          while (polling) {
            peak = Math.max(
              peak,
              (await api(a, "GET", `/api/v1/clusters/${name}?extended=true`)).body.workers.running,
            );
            await new Promise((r) => setTimeout(r, 100));
          }
        })();
        const executor = new ClusterExecutor({
          address: a.replace(/^http/, "ws") + model.tunnel_path,
          security: {
            tlsCert: model.tls_cert,
            tlsKey: model.tls_key,
            headers: { authorization: `Basic ${Buffer.from("alice:").toString("base64")}` },
          },
          connectTimeout: 60_000,
        });
        const r = await flow.run({ executor, printLogs: false });
        assert.equal(r.state.type, "Success");
        assert.equal(r.outputs, 276);
        await waitFor(
          async () =>
            (await api(a, "GET", `/api/v1/clusters/${name}?extended=true`)).body.workers.running ===
            0,
          "scale down to 0",
          30_000,
        );
        polling = false;
        await poll;
        assert.ok(peak >= 2, `peak workers ${peak}`);
        // Only the scheduler (and the esbuild service it may have started) is left.
        const notEsbuild = (p: number) =>
          !readFileSync(`/proc/${p}/cmdline`, "utf8").includes("esbuild");
        await waitFor(
          () => clusterProcesses(gw.dataDir).filter(notEsbuild).length === 1,
          "only the scheduler left",
          15_000,
        );
        const m = (await api(a, "GET", `/api/v1/clusters/${name}?extended=true`)).body;
        assert.equal(m.status, "RUNNING");
        assert.equal(m.workers.target, 0);
      },
    );
  },
);
