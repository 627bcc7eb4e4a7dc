import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { KubernetesBackend } from "../../../src/gateway/server/backends/kubernetes/kubernetes-backend.ts";
import { KubernetesApiError } from "../../../src/gateway/server/backends/kubernetes/errors.ts";
import { FlowgateError } from "../../../src/graph/errors.ts";
import type { Harness } from "./kube-harness.ts";
import {
  clusterRecord,
  drain,
  launch,
  namespace,
  until,
  withHarness,
  workerRecord,
} from "./kube-harness.ts";

const podPhase = (h: Harness, name: unknown) =>
  h.api.get("pods", namespace, String(name))?.status?.phase;

test("kubernetes backend - starts a scheduler pod, service and owned worker pods, and stops them leaving nothing", async () => {
  await withHarness({ labels: { team: "data" } }, async (h) => {
    const c = clusterRecord({
      image: "example.org/flowgate:1.2",
      worker_cores: 2,
      worker_memory: 1.5,
      environment: { MY_SETTING: "on" },
    });
    c.state = await drain(h.backend.startCluster(c, launch(c)));
    assert.equal(c.state.namespace, namespace);
    assert.equal(c.state.pod, `flowgate-${c.name}-scheduler`);
    const pod = h.api.get("pods", namespace, String(c.state.pod))!;
    const ctr = pod.spec.containers[0];
    assert.equal(ctr.image, "example.org/flowgate:1.2");
    assert.deepEqual(ctr.resources.limits, { cpu: "1", memory: "1024Mi" });
    assert.equal(pod.metadata.labels!.team, "data");
    assert.equal(pod.metadata.labels!["flowgate.io/component"], "scheduler");
    assert.ok(
      ctr.env.some(
        (e: { name: string; value?: string }) => e.name === "MY_SETTING" && e.value === "on",
      ),
    );
    const podIp = ctr.env.find((e: { name: string }) => e.name === "FLOWGATE_POD_IP");
    assert.deepEqual(podIp?.valueFrom, { fieldRef: { fieldPath: "status.podIP" } });
    const adv = ctr.args.indexOf("--advertise-host");
    assert.equal(ctr.args[adv + 1], "$(FLOWGATE_POD_IP)", "the scheduler reports its pod IP");
    assert.ok(
      !JSON.stringify(pod).includes(c.token),
      "the API token is not in the pod spec (it comes from the secret)",
    );
    assert.ok(
      !JSON.stringify(pod).includes(c.tlsKey.split("\n")[1]!),
      "the TLS key is not in the pod spec",
    );
    const svc = h.api.get("services", namespace, `flowgate-${c.name}`)!;
    assert.equal(svc.metadata.ownerReferences![0]!.uid, c.state.uid);
    assert.ok(h.api.get("secrets", namespace, `flowgate-${c.name}`));

    await until(() => podPhase(h, c.state.pod) === "Running", "scheduler pod Running");
    assert.deepEqual(await h.backend.checkClusters([c]), [true]);
    await until(
      async () => (await h.backend.logs(c)).includes("flowgate scheduler ready"),
      "scheduler ready line in logs",
    );

    const ws = [workerRecord(c), workerRecord(c)];
    for (const w of ws) w.state = await drain(h.backend.startWorker(c, w, launch(c)));
    const wpod = h.api.get("pods", namespace, String(ws[0]!.state.pod))!;
    assert.deepEqual(
      wpod.metadata.ownerReferences!.map((r) => r.uid),
      [c.state.uid],
    );
    assert.deepEqual(wpod.spec.containers[0].resources.limits, { cpu: "2", memory: "1536Mi" });
    assert.ok(
      wpod.spec.containers[0].args.includes(`tls://flowgate-${c.name}.${namespace}.svc:0`),
      "workers reach the scheduler through its service",
    );
    const wargs: string[] = wpod.spec.containers[0].args;
    assert.equal(wargs[wargs.indexOf("--host") + 1], "$(FLOWGATE_POD_IP)", "peers reach workers");
    assert.ok(wpod.spec.containers[0].args.includes("1536M"));
    await until(
      () => ws.every((w) => podPhase(h, w.state.pod) === "Running"),
      "worker pods Running",
    );
    assert.deepEqual(await h.backend.checkWorkers(c, ws), [true, true]);
    const logs = await until(async () => {
      const l = await h.backend.logs(c);
      return l.split("flowgate worker ready").length === 3 ? l : undefined;
    }, "both workers in the logs");
    assert.ok(logs.indexOf("-scheduler (") < logs.indexOf("-worker-"), "scheduler log first");
    assert.match(logs, /token present/);

    await h.backend.stopWorker(c, ws[0]!, ws[0]!.state);
    assert.equal(h.api.get("pods", namespace, String(ws[0]!.state.pod)), undefined);
    assert.deepEqual(await h.backend.checkWorkers(c, ws), [false, true]);

    await h.backend.stopCluster(c, c.state);
    assert.deepEqual(await h.backend.checkClusters([c]), [false]);
    assert.match(
      await h.backend.logs(c),
      /-scheduler \(deleted\) <==\n[^]*flowgate scheduler ready/,
      "logs outlive the pods",
    );
    await h.backend.stopCluster(c, c.state); // idempotent
    await h.backend.stopWorker(c, ws[1]!, ws[1]!.state);
  });
});

test("kubernetes backend - learns status from the watch, not by polling the API server", async () => {
  await withHarness({}, async (h) => {
    const c = clusterRecord();
    c.state = await drain(h.backend.startCluster(c, launch(c)));
    await until(() => podPhase(h, c.state.pod) === "Running", "scheduler Running");
    const before = [...h.api.requests];
    for (let i = 0; i < 20; i++) assert.deepEqual(await h.backend.checkClusters([c]), [true]);
    assert.deepEqual(h.api.requests.slice(before.length), [], "checks make no API calls");
    assert.equal(
      before.filter(
        (r) => r.startsWith("GET /api/v1/namespaces/flowgate-test/pods?") && !r.includes("watch="),
      ).length,
      1,
      "one list",
    );
    assert.ok(
      before.some((r) => r.includes("watch=true")),
      "one watch",
    );

    h.api.dropWatches(); // the API server ends the stream; the informer resumes from its resourceVersion
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(h.api.killPod(namespace, String(c.state.pod), "OOMKilled"));
    await until(() => h.exits.includes(c.name), "onProcessExit after the watch resumed");
    assert.deepEqual(await h.backend.checkClusters([c]), [false]);
    assert.match(
      String(h.backend.exitCode(c.state)),
      /OOMKilled, exited with code 137; give it more memory/,
    );
    await h.backend.stopCluster(c, c.state);
  });
});

test("kubernetes backend - a scheduler that exits 1 is reported with its exit code and log", async () => {
  await withHarness({}, async (h) => {
    const c = clusterRecord({ environment: { FAKE_SCHEDULER_EXIT: "1" } });
    c.state = await drain(h.backend.startCluster(c, launch(c)));
    await until(() => h.exits.includes(c.name), "onProcessExit");
    assert.deepEqual(await h.backend.checkClusters([c]), [false]);
    assert.equal(h.backend.exitCode(c.state), "container flowgate exited with code 1");
    assert.match(
      await h.backend.logs(c),
      /\(Failed: container flowgate exited with code 1\) <==\nfake scheduler: failing on purpose/,
    );
    await h.backend.stopCluster(c, c.state);
  });
});

test("kubernetes backend - an image that cannot be pulled fails with ErrImagePull", async () => {
  await withHarness({}, async (h) => {
    const c = clusterRecord({ image: "registry.example/does-not-exist:1" });
    c.state = await drain(h.backend.startCluster(c, launch(c)));
    await until(() => h.exits.includes(c.name), "onProcessExit");
    assert.deepEqual(await h.backend.checkClusters([c]), [false]);
    assert.match(
      String(h.backend.exitCode(c.state)),
      /cannot start: ErrImagePull: .*does-not-exist.*; check the image option/,
    );
    await h.backend.stopCluster(c, c.state);
  });
});

test("kubernetes backend - a worker that fails to start or is killed by the node is noticed", async () => {
  await withHarness({}, async (h) => {
    const c = clusterRecord();
    c.state = await drain(h.backend.startCluster(c, launch(c)));
    const killed = workerRecord(c);
    killed.state = await drain(h.backend.startWorker(c, killed, launch(c)));
    await until(() => podPhase(h, killed.state.pod) === "Running", "worker Running");
    assert.ok(h.api.killPod(namespace, String(killed.state.pod), "OOMKilled"));
    await until(
      async () => (await h.backend.checkWorkers(c, [killed]))[0] === false,
      "killed worker seen dead",
    );
    assert.match(String(h.backend.exitCode(killed.state)), /OOMKilled, exited with code 137/);
    assert.ok(h.exits.includes(c.name));
    await h.backend.stopWorker(c, killed, killed.state);

    const bad = clusterRecord(
      { environment: { FAKE_WORKER_EXIT: "3" } },
      { name: c.name, state: c.state, tlsCert: c.tlsCert, tlsKey: c.tlsKey, token: c.token },
    );
    const w = workerRecord(c);
    w.state = await drain(h.backend.startWorker(bad, w, launch(c)));
    await until(
      async () => (await h.backend.checkWorkers(c, [w]))[0] === false,
      "failing worker seen dead",
    );
    assert.equal(h.backend.exitCode(w.state), "container flowgate exited with code 3");
    assert.deepEqual(await h.backend.checkClusters([c]), [true], "the scheduler is unaffected");
    await h.backend.stopWorker(c, w, w.state);
    await h.backend.stopCluster(c, c.state);
  });
});

test("kubernetes backend - deleting the scheduler pod removes its workers and service (owner references)", async () => {
  await withHarness({}, async (h) => {
    const c = clusterRecord();
    c.state = await drain(h.backend.startCluster(c, launch(c)));
    const ws = [workerRecord(c), workerRecord(c)];
    for (const w of ws) w.state = await drain(h.backend.startWorker(c, w, launch(c)));
    await until(() => ws.every((w) => podPhase(h, w.state.pod) === "Running"), "workers Running");
    const res = await fetch(
      `${h.api.url}/api/v1/namespaces/${namespace}/pods/${String(c.state.pod)}`,
      { method: "DELETE", headers: { authorization: `Bearer ${h.api.token}` } },
    );
    assert.equal(res.status, 200);
    await until(
      () => h.api.list("pods").length === 0 && h.api.list("services").length === 0,
      "cascade deletion",
    );
    assert.deepEqual(h.api.pids(), []);
    assert.deepEqual(await h.backend.checkClusters([c]), [false]);
    assert.deepEqual(await h.backend.checkWorkers(c, ws), [false, false]);
    assert.equal(h.backend.exitCode(c.state), "pod deleted");
    for (const w of ws) await h.backend.stopWorker(c, w, w.state);
    await h.backend.stopCluster(c, c.state); // removes the secret
  });
});

test("kubernetes backend - a restarted gateway adopts running clusters from their checkpoints and stops them", async () => {
  await withHarness({}, async (h) => {
    const c = clusterRecord();
    c.state = await drain(h.backend.startCluster(c, launch(c)));
    const w = workerRecord(c);
    w.state = await drain(h.backend.startWorker(c, w, launch(c)));
    await until(() => podPhase(h, w.state.pod) === "Running", "worker Running");
    await h.backend.close();

    const again = new KubernetesBackend(h.settings);
    try {
      assert.deepEqual(await again.checkClusters([c]), [true]);
      assert.deepEqual(await again.checkWorkers(c, [w]), [true]);
      await again.stopWorker(c, w, w.state);
      await again.stopCluster(c, c.state);
    } finally {
      await again.close();
    }
  });
});

test("kubernetes backend - an API server refusal names the call and the server's message", async () => {
  await withHarness({}, async (h) => {
    const wrong = h.kubeconfig.replace("kubeconfig.yaml", "wrong.yaml");
    writeFileSync(wrong, readFileSync(h.kubeconfig, "utf8").replace(h.api.token, "not-the-token"));
    const refused = new KubernetesBackend({ ...h.settings, kubeconfig: wrong });
    try {
      const c = clusterRecord();
      await assert.rejects(drain(refused.startCluster(c, launch(c))), (e: unknown) => {
        assert.ok(e instanceof KubernetesApiError && e instanceof FlowgateError);
        assert.equal(e.code, "FG_GATEWAY_KUBERNETES_API");
        assert.match(e.message, /watch pods .* in namespace flowgate-test: HTTP 401/);
        return true;
      });
    } finally {
      await refused.close();
    }
  });
});
