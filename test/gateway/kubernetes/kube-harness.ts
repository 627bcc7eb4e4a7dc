import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubernetesBackend } from "../../../src/gateway/server/backends/kubernetes/kubernetes-backend.ts";
import type { KubernetesBackendConfig } from "../../../src/gateway/server/backends/kubernetes/kubernetes-options.ts";
import type { Checkpoint } from "../../../src/gateway/server/backends/backend.ts";
import type { ClusterConfig } from "../../../src/gateway/server/cluster-options.ts";
import type { ClusterRecord, WorkerRecord } from "../../../src/gateway/server/cluster-record.ts";
import { JobStatus } from "../../../src/gateway/server/cluster-record.ts";
import { FakeKubeApi } from "./fake-kube-api.ts";

export const namespace = "flowgate-test";
export const fixture = new URL("./fixtures/fake-flowgate.mjs", import.meta.url).pathname;
const pem = (kind: string) =>
  `-----BEGIN ${kind}-----\n${randomBytes(48).toString("base64")}\n-----END ${kind}-----\n`;

/** A cluster row as the reconciler would hand it to the backend. */
export function clusterRecord(
  config: Partial<ClusterConfig> = {},
  over: Partial<ClusterRecord> = {},
): ClusterRecord {
  const now = Date.now();
  return {
    name: randomUUID().replaceAll("-", ""),
    user: "alice",
    status: JobStatus.CREATED,
    target: JobStatus.RUNNING,
    count: 0,
    adapt: null,
    options: {},
    config: {
      worker_cores: 1,
      worker_memory: 0.5,
      scheduler_cores: 1,
      scheduler_memory: 1,
      environment: {},
      image: null,
      ...config,
    },
    state: {},
    token: randomBytes(16).toString("hex"),
    tlsCert: pem("CERTIFICATE"),
    tlsKey: pem("PRIVATE KEY"),
    schedulerAddress: null,
    dashboardAddress: null,
    apiAddress: null,
    startTime: now,
    stopTime: null,
    stopReason: null,
    leaseTtl: null,
    shutdownOnClose: true,
    lastLease: now,
    lastHeartbeat: now,
    lastActivity: now,
    submittedAt: null,
    workerFailures: 0,
    version: 0,
    ...over,
  };
}

export function workerRecord(c: ClusterRecord): WorkerRecord {
  return {
    name: randomUUID().replaceAll("-", ""),
    cluster: c.name,
    status: JobStatus.CREATED,
    target: JobStatus.RUNNING,
    state: {},
    startTime: Date.now(),
    submittedAt: null,
    stopTime: null,
    closeExpected: false,
  };
}

/** Runs a start hook to the end and returns its last checkpoint. */
export async function drain(gen: AsyncGenerator<Checkpoint, void, void>): Promise<Checkpoint> {
  let last: Checkpoint = {};
  for await (const cp of gen) last = cp;
  return last;
}

export const launch = (c: ClusterRecord) => ({
  env: {
    FLOWGATE_GATEWAY_API_URL: "http://127.0.0.1:9/api",
    FLOWGATE_GATEWAY_API_TOKEN: c.token,
    FLOWGATE_CLUSTER_NAME: c.name,
  },
});

/** Polls `f` (test-side only; the backend itself never polls) until it returns a truthy value. */
export async function until<T>(
  f: () => T | Promise<T>,
  what: string,
  ms = 10_000,
): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface Harness {
  api: FakeKubeApi;
  backend: KubernetesBackend;
  kubeconfig: string;
  settings: KubernetesBackendConfig;
  /** Cluster names passed to onProcessExit, in order. */
  exits: string[];
  /** Closes the backend and checks that no pod, service, secret or pod process remains. */
  cleanup(leakCheck?: boolean): Promise<void>;
}

export async function startHarness(over: KubernetesBackendConfig = {}): Promise<Harness> {
  const api = await FakeKubeApi.start();
  const dir = mkdtempSync(join(tmpdir(), "fg-kube-test-"));
  const kubeconfig = api.writeKubeconfig(dir, namespace);
  const settings: KubernetesBackendConfig = {
    kubeconfig,
    schedulerCommand: [process.execPath, fixture, "scheduler"],
    workerCommand: [process.execPath, fixture, "worker"],
    schedulerPort: 0,
    dashboardPort: 0,
    stopGraceSeconds: 2,
    ...over,
  };
  const backend = new KubernetesBackend(settings);
  const exits: string[] = [];
  backend.onProcessExit = (name) => exits.push(name);
  return {
    api,
    backend,
    kubeconfig,
    settings,
    exits,
    async cleanup(leakCheck = true) {
      try {
        if (!leakCheck) return void (await backend.close());
        await backend.close();
        assert.deepEqual(
          api.list("pods").map((p) => p.metadata.name),
          [],
          "no pod remains",
        );
        assert.deepEqual(
          api.list("services").map((p) => p.metadata.name),
          [],
          "no service remains",
        );
        assert.deepEqual(
          api.list("secrets").map((p) => p.metadata.name),
          [],
          "no secret remains",
        );
        assert.deepEqual(api.pids(), [], "no pod process remains");
      } finally {
        await api.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Runs `body` against a fresh fake API server and backend, then checks for leaks. When the
 * body fails, its error is reported and the fake is torn down without the leak check.
 */
export async function withHarness(
  over: KubernetesBackendConfig,
  body: (h: Harness) => Promise<void>,
): Promise<void> {
  const h = await startHarness(over);
  let ok = false;
  try {
    await body(h);
    ok = true;
  } finally {
    await h.cleanup(ok);
  }
}
