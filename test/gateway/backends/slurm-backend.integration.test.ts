// The slurm backend against a real Slurm (single node, from .ci/setup-backends.sh), with a
// fake scheduler/worker command; skipped with a message when no Slurm answers.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { BackendStartError } from "../../../src/gateway/server/errors.ts";
import { SlurmBackend } from "../../../src/gateway/server/backends/slurm/slurm-backend.ts";
import {
  resolveSlurmOptions,
  type SlurmBackendConfig,
} from "../../../src/gateway/server/backends/slurm/slurm-options.ts";
import { makeCluster, makeWorker, startCluster, startWorker, until } from "./fixtures/records.ts";
import { findSlurm } from "./fixtures/engines.ts";

const slurm = findSlurm();
const skip = "skip" in slurm ? slurm.skip : false;
const fake = fileURLToPath(new URL("./fixtures/fake-process.mjs", import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), "flowgate-slurm-test-"));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function backend(over: SlurmBackendConfig = {}): SlurmBackend {
  return new SlurmBackend(
    resolveSlurmOptions(
      {
        schedulerCommand: [process.execPath, fake, "scheduler"],
        workerCommand: [process.execPath, fake, "worker"],
        schedulerHost: "127.0.0.1",
        requestMemory: false, // the test node declares no RealMemory
        stopTimeoutMs: 10_000,
        slurmConf: "conf" in slurm ? slurm.conf : undefined,
        ...over,
      },
      dataDir,
    ),
  );
}

const slurmEnv = () => ({ ...process.env, SLURM_CONF: "conf" in slurm ? slurm.conf : "" });
const squeueState = (id: unknown): string =>
  execFileSync("squeue", ["-h", "-j", String(id), "-o", "%T"], {
    env: { ...process.env, SLURM_CONF: "conf" in slurm ? slurm.conf : "" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  }).trim();

/** Leak check: Slurm lists no job of the cluster. */
async function assertNoJobs(b: SlurmBackend, cluster: string): Promise<void> {
  assert.deepEqual(await b.listJobs(cluster), [], `jobs of cluster ${cluster} left in squeue`);
}

describe("slurm backend", { skip, timeout: 120_000 }, () => {
  test("slurm - starts a scheduler and a worker as jobs, stops them, leaves no job", async () => {
    const b = backend();
    const c = makeCluster(
      { options: { partition: "debug", account: "research", time_limit: "00:10:00" } },
      { environment: { FAKE_EXTRA: "x y'z" }, scheduler_cores: 2 },
    );
    process.env.FAKE_GATEWAY_SECRET = "must-not-leak";
    try {
      const cp = await startCluster(b, c);
      assert.match(String(cp.jobId), /^\d+$/);
      await until(
        async () => squeueState(cp.jobId) === "RUNNING",
        20_000,
        "the scheduler job to run",
      );
      const log = join(dataDir, "clusters", c.name, "scheduler.log");
      await until(
        async () => (await b.logs(c)).includes("fake scheduler ready"),
        20_000,
        "the scheduler's output",
      );
      const out = readFileSync(log, "utf8");
      assert.match(
        out,
        new RegExp(`cluster=${c.name} extra=x y'z secret=unset`),
        "the job gets the cluster's env and not the gateway's",
      );
      assert.match(out, /"--host","127.0.0.1","--port","0".*"--tls-cert",".*tls\.crt"/);
      assert.deepEqual(await b.checkClusters([c]), [true]);
      const job = execFileSync("scontrol", ["show", "job", "-o", String(cp.jobId)], {
        env: slurmEnv(),
        encoding: "utf8",
      });
      for (const f of [
        "Partition=debug",
        "Account=research",
        "TimeLimit=00:10:00",
        "NumCPUs=2",
        `JobName=flowgate-${c.name}-scheduler`,
      ]) {
        assert.ok(job.includes(f), `scontrol shows ${f}: ${job}`);
      }

      c.schedulerAddress = "tls://127.0.0.1:1";
      const w = makeWorker(c);
      const wcp = await startWorker(b, c, w);
      await until(
        async () => (await b.logs(c)).includes("fake worker ready"),
        20_000,
        "the worker's output",
      );
      assert.match(
        await b.logs(c),
        /==> scheduler\.log <==[\s\S]*==> worker-w[0-9a-f]+\.log <==[\s\S]*"tls:\/\/127\.0\.0\.1:1","--name"/,
      );
      assert.deepEqual(await b.checkWorkers(c, [w]), [true]);
      assert.equal((await b.listJobs(c.name)).length, 2);

      await b.stopWorker(c, w, wcp);
      assert.equal(squeueState(wcp.jobId), "", "the worker job left squeue");
      assert.deepEqual(await b.checkWorkers(c, [w]), [false]);
      await b.stopCluster(c, cp);
      assert.deepEqual(await b.checkClusters([c]), [false]);
      assert.match(
        await b.logs(c),
        /fake scheduler got SIGTERM/,
        "scancel sends SIGTERM first; logs are kept after the stop",
      );
      await b.stopCluster(c, cp); // idempotent
    } finally {
      delete process.env.FAKE_GATEWAY_SECRET;
      await b.stopCluster(c, c.state);
    }
    await assertNoJobs(b, c.name);
  });

  test("slurm - a job Slurm refuses fails the start with Slurm's reason", async () => {
    const b = backend();
    const c = makeCluster({ options: { partition: "no-such-partition" } });
    await assert.rejects(
      startCluster(b, c),
      (e: Error) =>
        e instanceof BackendStartError &&
        /Slurm refused the job for the scheduler of cluster .*Invalid partition name specified/.test(
          e.message,
        ),
    );
    const mem = backend({ requestMemory: true });
    const c2 = makeCluster({}, { scheduler_memory: 4096 });
    await assert.rejects(
      startCluster(mem, c2),
      /Requested node configuration is not available|Memory specification can not be satisfied/,
    );
    await b.stopCluster(c, c.state);
    await mem.stopCluster(c2, c2.state);
    await assertNoJobs(b, c.name);
    await assertNoJobs(b, c2.name);
  });

  test("slurm - a scheduler that exits is noticed, with the job state, reason and exit code", async () => {
    const b = backend();
    const c = makeCluster({}, { environment: { FAKE_MODE: "fail" } });
    try {
      await startCluster(b, c);
      await until(
        async () => !(await b.checkClusters([c]))[0],
        20_000,
        "the failed scheduler to be noticed",
      );
      assert.match(
        String(b.exitCode(c.state)),
        new RegExp(`^Slurm job ${c.state.jobId} FAILED \\(NonZeroExitCode\\), exit code 3$`),
      );
      assert.match(await b.logs(c), /fake failure: cannot bind/);
    } finally {
      await b.stopCluster(c, c.state);
    }
    await assertNoJobs(b, c.name);
  });

  test("slurm - a worker that cannot start, and a worker cancelled by Slurm, are noticed", async () => {
    const b = backend({ workerCommand: ["/nonexistent/flowgate-worker"] });
    const c = makeCluster({ schedulerAddress: "tls://127.0.0.1:1" });
    try {
      await startCluster(b, c);
      const bad = makeWorker(c);
      await startWorker(b, c, bad);
      await until(
        async () => !(await b.checkWorkers(c, [bad]))[0],
        20_000,
        "the broken worker to be noticed",
      );
      assert.match(String(b.exitCode(bad.state)), /FAILED \(NonZeroExitCode\), exit code 127$/);
      assert.match(await b.logs(c), /nonexistent\/flowgate-worker.*not found|No such file/);

      const good = backend();
      const w = makeWorker(c);
      await startWorker(good, c, w);
      await until(
        async () => squeueState(w.state.jobId) === "RUNNING",
        20_000,
        "the worker job to run",
      );
      execFileSync("scancel", [String(w.state.jobId)], {
        env: { ...process.env, SLURM_CONF: "conf" in slurm ? slurm.conf : "" },
      });
      await until(
        async () => !(await good.checkWorkers(c, [w]))[0],
        20_000,
        "the cancelled worker to be noticed",
      );
      assert.match(String(good.exitCode(w.state)), /^Slurm job \d+ CANCELLED/);
    } finally {
      await b.stopCluster(c, c.state); // also cancels any worker job of the cluster
    }
    await assertNoJobs(b, c.name);
  });

  test("slurm - after a gateway restart a new backend finds the jobs from the checkpoints and stops them", async () => {
    const first = backend();
    const c = makeCluster({ schedulerAddress: "tls://127.0.0.1:1" });
    const w = makeWorker(c);
    try {
      await startCluster(first, c);
      await startWorker(first, c, w);
      const second = backend(); // no memory of the first one's jobs
      await until(
        async () => (await second.checkClusters([c]))[0] && (await second.checkWorkers(c, [w]))[0],
        20_000,
        "the adopted jobs to be seen",
      );
      await second.stopWorker(c, w, w.state);
      await second.stopCluster(c, c.state);
      assert.deepEqual(await second.checkClusters([c]), [false]);
    } finally {
      await first.stopCluster(c, c.state);
    }
    await assertNoJobs(first, c.name);
  });
});
