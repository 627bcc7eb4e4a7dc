// Opt-in: the kubernetes backend against a real cluster, when KUBECONFIG is set. The pods run
// a small image (FLOWGATE_K8S_TEST_IMAGE, default busybox) with shell commands standing in for
// the scheduler and workers, so the test checks pods, services, owner references, watches,
// failure reasons, logs and clean-up, not flowgate's runtime. Namespace:
// FLOWGATE_K8S_TEST_NAMESPACE, else the kubeconfig context's. Needs create/delete/watch on
// pods, services and secrets there.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { KubernetesBackend } from "../../../src/gateway/server/backends/kubernetes/kubernetes-backend.ts";
import { resolveKubernetesConfig } from "../../../src/gateway/server/backends/kubernetes/kubernetes-options.ts";
import { clusterRecord, drain, launch, until, workerRecord } from "./kube-harness.ts";

const skip = process.env.KUBECONFIG
  ? false
  : "KUBECONFIG is not set: skipping the test against a real Kubernetes cluster (the fake API server tests ran instead)";
const image = process.env.FLOWGATE_K8S_TEST_IMAGE ?? "busybox:1.36";
// `sh -c SCRIPT NAME ARGS…`: the backend appends its flags, which become $1…; the script checks the TLS mount.
const stand = (role: string) => [
  "sh",
  "-c",
  `test -s /etc/flowgate/tls/tls.key && echo "flowgate ${role} ready $*" && trap 'echo stopping; exit 0' TERM && while true; do sleep 1; done`,
  role,
];

describe("kubernetes backend on a real cluster", { skip, timeout: 300_000 }, () => {
  test("real cluster - start, status by watch, workers owned by the scheduler, failure reasons, nothing left", async () => {
    const k = resolveKubernetesConfig({
      kubeconfig: process.env.KUBECONFIG,
      namespace: process.env.FLOWGATE_K8S_TEST_NAMESPACE,
      image,
      schedulerCommand: stand("scheduler"),
      workerCommand: stand("worker"),
      gatewayId: `fg-test-${process.pid}`,
      stopGraceSeconds: 2,
    });
    const api = k.kubeConfig.makeApiClient(CoreV1Api);
    const backend = new KubernetesBackend(k);
    const exits: string[] = [];
    backend.onProcessExit = (n) => exits.push(n);
    const phase = async (name: unknown) =>
      (await api.readNamespacedPod({ name: String(name), namespace: k.namespace })).status?.phase;
    const leftovers = async () => {
      const labelSelector = `flowgate.io/gateway=${k.gatewayId}`;
      const pods = await api.listNamespacedPod({ namespace: k.namespace, labelSelector });
      const svcs = await api.listNamespacedService({ namespace: k.namespace, labelSelector });
      const secrets = await api.listNamespacedSecret({ namespace: k.namespace, labelSelector });
      return [...pods.items, ...svcs.items, ...secrets.items].map(
        (o) => `${o.kind ?? "?"} ${o.metadata?.name}`,
      );
    };
    const c = clusterRecord({ worker_memory: 0.25, scheduler_memory: 0.25 });
    const bad = clusterRecord({ image: "registry.invalid/flowgate-does-not-exist:0" });
    try {
      c.state = await drain(backend.startCluster(c, launch(c)));
      await until(
        async () => (await phase(c.state.pod)) === "Running",
        "scheduler pod Running",
        180_000,
      );
      assert.deepEqual(await backend.checkClusters([c]), [true]);
      const w = workerRecord(c);
      w.state = await drain(backend.startWorker(c, w, launch(c)));
      await until(
        async () => (await phase(w.state.pod)) === "Running",
        "worker pod Running",
        180_000,
      );
      assert.deepEqual(await backend.checkWorkers(c, [w]), [true]);
      await until(
        async () => /flowgate worker ready/.test(await backend.logs(c)),
        "worker log",
        30_000,
      );

      bad.state = await drain(backend.startCluster(bad, launch(bad)));
      await until(() => exits.includes(bad.name), "image pull failure seen by the watch", 180_000);
      assert.match(String(backend.exitCode(bad.state)), /ErrImagePull|ImagePullBackOff/);

      await backend.stopWorker(c, w, w.state);
      await backend.stopCluster(c, c.state);
      await backend.stopCluster(bad, bad.state);
      assert.deepEqual(await leftovers(), [], "no pod, service or secret remains");
    } finally {
      await backend.stopCluster(c, c.state).catch(() => {});
      await backend.stopCluster(bad, bad.state).catch(() => {});
      await backend.close();
    }
  });
});

// The seed flow on a real cluster needs flowgate in an image (deploy/build-image.sh) and a
// gateway address the pods can reach for their heartbeats (e.g. the host's IP on a kind or
// minikube network): FLOWGATE_K8S_TEST_FLOWGATE_IMAGE and FLOWGATE_K8S_TEST_GATEWAY_HOST.
const seedSkip =
  skip ||
  (!process.env.FLOWGATE_K8S_TEST_FLOWGATE_IMAGE || !process.env.FLOWGATE_K8S_TEST_GATEWAY_HOST
    ? "set FLOWGATE_K8S_TEST_FLOWGATE_IMAGE (an image with flowgate) and FLOWGATE_K8S_TEST_GATEWAY_HOST (an address of this machine the pods can reach) to run the seed flow on a real cluster"
    : false);

describe(
  "kubernetes backend on a real cluster: the seed flow",
  { skip: seedSkip, timeout: 600_000 },
  () => {
    test("real cluster - times-two gives 90; the scheduler reports its pod IP, never 0.0.0.0", async () => {
      const host = process.env.FLOWGATE_K8S_TEST_GATEWAY_HOST!;
      const { startGateway } = await import("../../../src/gateway/server/index.ts");
      const { GatewayEnvironment } = await import("../../../src/environments/index.ts");
      const { BasicAuth, Gateway } = await import("../../../src/gateway/client/index.ts");
      const timesTwo = (await import("../../../examples/times-two.ts")).default;
      const { freePort } = await import("../server/helpers/harness.ts");
      const port = await freePort();
      const gateway = await startGateway({
        address: `0.0.0.0:${port}`,
        apiUrl: `http://${host}:${port}`,
        db: ":memory:",
        logLevel: "warn",
        backend: "kubernetes",
        kubernetes: {
          kubeconfig: process.env.KUBECONFIG,
          namespace: process.env.FLOWGATE_K8S_TEST_NAMESPACE,
          image: process.env.FLOWGATE_K8S_TEST_FLOWGATE_IMAGE,
          stopGraceSeconds: 5,
        },
      });
      try {
        const address = `http://127.0.0.1:${port}`;
        const auth = new BasicAuth("alice");
        const r = await new GatewayEnvironment({
          gatewayAddress: address,
          auth,
          adaptiveMinWorkers: 1,
          adaptiveMaxWorkers: 2,
        }).run(timesTwo, { parameters: { x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] }, printLogs: false });
        assert.equal(r.state.type, "Success");
        assert.equal(r.outputs, 90);
        const logs = await new Gateway({ address, auth }).clusterLogs(r.placement.cluster!.name);
        assert.match(logs, /flowgate scheduler ready \{"address":"tls:\/\/\d+\.\d+\.\d+\.\d+:\d+"/);
        assert.doesNotMatch(logs, /tls:\/\/0\.0\.0\.0/);
      } finally {
        await gateway.close();
      }
    });
  },
);
