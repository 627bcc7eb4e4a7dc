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
