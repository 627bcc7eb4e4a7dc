// The container backend against a real engine (podman's Docker-compatible service from
// .ci/setup-backends.sh, or a Docker daemon), with a busybox image and a fake
// scheduler/worker command; skipped with a message when no engine or image is there.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ContainerBackend } from "../../../src/gateway/server/backends/container/container-backend.ts";
import {
  resolveContainerOptions,
  type ContainerBackendConfig,
} from "../../../src/gateway/server/backends/container/container-options.ts";
import { BackendStartError } from "../../../src/gateway/server/errors.ts";
import { findEngine } from "./fixtures/engines.ts";
import { makeCluster, makeWorker, startCluster, startWorker, until } from "./fixtures/records.ts";

const image = process.env.FLOWGATE_TEST_BUSYBOX_IMAGE ?? "localhost/flowgate-busybox:test";
const engine = await findEngine(image);
const skip = "skip" in engine ? engine.skip : false;
const dataDir = mkdtempSync(join(tmpdir(), "flowgate-container-test-"));
after(() => rmSync(dataDir, { recursive: true, force: true }));

// $0 is the role; the backend's flags follow as $@.
const fakeScript = [
  'echo "fake $0 ready args=$* cluster=$FLOWGATE_CLUSTER_NAME extra=$FAKE_EXTRA"',
  "cat /flowgate-tls/tls.crt",
  'if [ "$FAKE_MODE" = fail ]; then echo "fake failure: cannot bind" >&2; exit 3; fi',
  "trap 'echo \"fake $0 got SIGTERM\"; exit 0' TERM",
  "while true; do sleep 0.2; done",
].join("\n");

function backend(over: ContainerBackendConfig = {}): ContainerBackend {
  return new ContainerBackend(
    resolveContainerOptions(
      {
        socketPath: "socketPath" in engine ? engine.socketPath : "/nonexistent.sock",
        image,
        schedulerCommand: ["sh", "-c", fakeScript, "scheduler"],
        workerCommand: ["sh", "-c", fakeScript, "worker"],
        stopGraceSeconds: 3,
        pull: false,
        ...over,
      },
      dataDir,
    ),
  );
}

/** Leak check: no container carries the cluster's label. */
async function assertNoContainers(b: ContainerBackend, cluster: string): Promise<void> {
  assert.deepEqual(
    (await b.listContainers(cluster)).map((c) => c.Names),
    [],
    `containers of cluster ${cluster} left behind`,
  );
}

describe("container backend", { skip, timeout: 120_000 }, () => {
  before(async () => {
    // Containers of earlier, interrupted runs of this suite.
    if (skip) return;
    const b = backend();
    for (const c of await b.listContainers())
      if (/^t[0-9a-f]{12}$/.test(c.Labels?.["flowgate.cluster"] ?? "")) await b.engine.remove(c.Id);
  });

  test("container - starts a scheduler and a worker with limits and labels, stops them, leaves nothing", async () => {
    const b = backend();
    const c = makeCluster(
      {},
      { scheduler_cores: 1, scheduler_memory: 0.25, worker_cores: 2, worker_memory: 0.5 },
    );
    try {
      const cp = await startCluster(b, c);
      assert.equal(cp.started, true);
      await until(
        async () => (await b.logs(c)).includes("fake scheduler ready"),
        20_000,
        "the scheduler's output",
      );
      const out = await b.logs(c);
      assert.match(out, new RegExp(`cluster=${c.name} extra=x y'z`));
      assert.match(
        out,
        /--host 127\.0\.0\.1 --port 0 --dashboard-port 0 --tls-cert \/flowgate-tls\/tls\.crt/,
      );
      assert.match(out, /BEGIN CERTIFICATE/, "the certificate is copied in before the start");
      assert.deepEqual(await b.checkClusters([c]), [true]);

      c.schedulerAddress = "tls://127.0.0.1:1";
      const w = makeWorker(c);
      const wcp = await startWorker(b, c, w);
      await until(
        async () => (await b.logs(c)).includes("fake worker ready"),
        20_000,
        "the worker's output",
      );
      assert.deepEqual(await b.checkWorkers(c, [w]), [true]);
      const found = await b.listContainers(c.name);
      assert.deepEqual(
        found
          .map((f) => `${f.Labels?.["flowgate.role"]}:${f.Labels?.["flowgate.worker"] ?? ""}`)
          .sort(),
        ["scheduler:", `worker:${w.name}`],
      );
      const info = JSON.parse(
        await (await fetchEngine(`/containers/${String(wcp.containerId)}/json`)).text(),
      ) as { HostConfig: Record<string, unknown> };
      assert.equal(info.HostConfig.NanoCpus, 2e9);
      assert.equal(info.HostConfig.Memory, 2 ** 29);
      assert.equal(info.HostConfig.NetworkMode, "host");
      const limits = (
        info.HostConfig.Ulimits as { Name: string; Soft: number; Hard: number }[]
      ).map((u) => `${u.Name.replace(/^RLIMIT_/, "").toLowerCase()}=${u.Soft}/${u.Hard}`);
      assert.deepEqual(limits.sort(), ["nofile=1024/1024", "nproc=1024/1024"]);

      await b.stopWorker(c, w, wcp);
      assert.deepEqual(await b.checkWorkers(c, [w]), [false]);
      await b.stopCluster(c, cp);
      assert.deepEqual(await b.checkClusters([c]), [false]);
      const logs = await b.logs(c);
      assert.match(
        logs,
        /==> scheduler\.log <==[\s\S]*fake scheduler got SIGTERM[\s\S]*==> worker-w[0-9a-f]+\.log <==[\s\S]*fake worker got SIGTERM/,
        "logs are kept after the containers are removed",
      );
      await b.stopCluster(c, cp); // idempotent
    } finally {
      await b.stopCluster(c, c.state);
    }
    await assertNoContainers(b, c.name);
  });

  test("container - a scheduler that cannot start fails with the engine's reason and leaves nothing", async () => {
    const b = backend({ schedulerCommand: ["/nonexistent/flowgate"] });
    const c = makeCluster();
    await assert.rejects(
      startCluster(b, c),
      (e: Error) =>
        e instanceof BackendStartError &&
        /cannot start the scheduler of cluster .* from image .*no such file or directory/i.test(
          e.message,
        ),
    );
    await b.stopCluster(c, c.state);
    await assertNoContainers(b, c.name);

    const c2 = makeCluster({}, { image: "localhost/flowgate-no-such-image:1" });
    const pulling = backend({ pull: true }); // no registry answers here: the pull fails too
    await assert.rejects(
      startCluster(pulling, c2),
      (e: Error) =>
        e instanceof BackendStartError &&
        /image "localhost\/flowgate-no-such-image:1" is not on the engine and pulling it failed: \S/.test(
          e.message,
        ),
    );
    await b.stopCluster(c2, c2.state);
    await assertNoContainers(b, c2.name);
  });

  test("container - a scheduler that exits is noticed, with its exit code and output", async () => {
    const b = backend();
    const c = makeCluster({}, { environment: { FAKE_MODE: "fail" } });
    try {
      await startCluster(b, c);
      await until(
        async () => !(await b.checkClusters([c]))[0],
        20_000,
        "the failed scheduler to be noticed",
      );
      assert.equal(
        b.exitCode(c.state),
        `container flowgate-${c.name}-scheduler exited with code 3`,
      );
      assert.match(await b.logs(c), /fake failure: cannot bind/);
    } finally {
      await b.stopCluster(c, c.state);
    }
    assert.match(await b.logs(c), /fake failure: cannot bind/, "the output is kept after removal");
    await assertNoContainers(b, c.name);
  });

  test("container - a worker that cannot start, and a worker killed by the engine, are noticed", async () => {
    const b = backend();
    const c = makeCluster({ schedulerAddress: "tls://127.0.0.1:1" });
    try {
      await startCluster(b, c);
      const broken = backend({ workerCommand: ["/nonexistent/flowgate-worker"] });
      const bad = makeWorker(c);
      await assert.rejects(
        startWorker(broken, c, bad),
        (e: Error) =>
          e instanceof BackendStartError &&
          new RegExp(`cannot start worker ${bad.name} .*no such file or directory`, "i").test(
            e.message,
          ),
      );
      assert.deepEqual(
        (await b.listContainers(c.name)).map((f) => f.Labels?.["flowgate.role"]),
        ["scheduler"],
        "a worker that failed to start removes its container",
      );

      const w = makeWorker(c);
      await startWorker(b, c, w);
      await until(
        async () => (await b.logs(c)).includes("fake worker ready"),
        20_000,
        "the worker to run",
      );
      await b.engine.kill(String(w.state.containerId), "KILL");
      await until(
        async () => !(await b.checkWorkers(c, [w]))[0],
        20_000,
        "the killed worker to be noticed",
      );
      assert.match(
        String(b.exitCode(w.state)),
        /^container flowgate-.*-worker-.* exited with code 137 \(SIGKILL/,
      );
    } finally {
      await b.stopCluster(c, c.state); // removes every container labelled with the cluster
    }
    await assertNoContainers(b, c.name);
  });

  test("container - after a gateway restart a new backend finds the containers from the checkpoints and stops them", async () => {
    const first = backend();
    const c = makeCluster({ schedulerAddress: "tls://127.0.0.1:1" });
    const w = makeWorker(c);
    try {
      await startCluster(first, c);
      await startWorker(first, c, w);
      const second = backend(); // no memory of the first one's containers
      assert.deepEqual(await second.checkClusters([c]), [true]);
      assert.deepEqual(await second.checkWorkers(c, [w]), [true]);
      await second.stopWorker(c, w, w.state);
      await second.stopCluster(c, c.state);
      assert.deepEqual(await second.checkClusters([c]), [false]);
      assert.match(await second.logs(c), /fake worker got SIGTERM/);
    } finally {
      await first.stopCluster(c, c.state);
    }
    await assertNoContainers(first, c.name);
  });
});

/** GET on the engine API, for assertions on what the backend created. */
async function fetchEngine(path: string): Promise<{ text(): Promise<string> }> {
  const { request } = await import("node:http");
  const socketPath = "socketPath" in engine ? engine.socketPath : "";
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: `/v1.41${path}` }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ text: async () => body }));
    });
    req.on("error", reject);
    req.end();
  });
}
