import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import http from "node:http";
import net from "node:net";
import { WebSocketServer, createWebSocketStream } from "ws";
import { setTimeout as sleep } from "node:timers/promises";
import type { LogRecord } from "flowgate";
import timesTwo from "../../examples/times-two.ts";
import incDecAdd from "../../examples/inc-dec-add.ts";
import {
  ClusterClient,
  makeClusterCredentials,
  BundleLoadError,
  ClusterConnectError,
  SerializationError,
} from "../../src/cluster/index.ts";
import { ClusterExecutor } from "../../src/executors/cluster-executor.ts";
import type { GraphSpec } from "../../src/graph/task-spec.ts";
import * as f from "./fixtures/cluster-flows.ts";
import { startHarness, type Harness } from "./fixtures/cluster-harness.ts";

describe("LocalCluster(2) with ClusterExecutor", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ workers: 2 });
  });
  after(async () => {
    await h?.close();
  });
  const opts = (o: Record<string, unknown> = {}) => ({
    executor: h.executor,
    printLogs: false as const,
    ...o,
  });

  test("times-two gives 90", async () => {
    const r = await timesTwo.run(opts({ parameters: { x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] } }));
    assert.equal(r.state.type, "Success");
    assert.equal(r.outputs, 90);
  });

  test("inc-dec-add gives 90", async () => {
    const r = await incDecAdd.run(opts());
    assert.equal(r.state.type, "Success");
    assert.equal(r.outputs, 90);
  });

  test("task threads run flowgate precompiled, without compiling TypeScript", async () => {
    const r = await f.whereFlow.run(opts());
    assert.equal(r.state.type, "Success");
    const stack = String(r.outputs);
    // The runner's frames come from the precompiled runtime (split into chunks by esbuild).
    assert.match(
      stack,
      /at TaskRunner\.runOne \(file:.*\/thread-runtime-[0-9a-f]+\/[\w/-]+\.js:\d+/,
    );
    assert.doesNotMatch(stack, /\.ts:\d+/, "no frame of a TypeScript source");
  });

  test("console output and logger lines of tasks reach the client with task, map index, worker and time", async () => {
    const logs: LogRecord[] = [];
    const r = await f.logFlow.run(opts({ onLog: (l: LogRecord) => logs.push(l) }));
    assert.equal(r.state.type, "Success");
    for (const i of [0, 1, 2]) {
      const line = logs.find((l) => l.message === `console line from item ${i}`);
      assert.ok(line, `console line ${i} arrived`);
      assert.equal(line.task, "chatty");
      assert.equal(line.mapIndex, i);
      assert.match(line.worker ?? "", /^local-/);
      assert.ok(Math.abs(line.time - Date.now()) < 60_000);
      const warn = logs.find((l) => l.message === `logger line from item ${i}`);
      assert.equal(warn?.level, "WARNING");
    }
  });

  test("a task's exception message and stack reach the client", async () => {
    const r = await f.errorFlow.run(opts());
    assert.equal(r.state.type, "Failed");
    const s = r.taskState("boom");
    assert.equal(s.type, "Failed");
    assert.equal(s.message, "boom 42 from the cluster");
    assert.match(s.stack ?? "", /boom 42 from the cluster[\s\S]*at .*boom/);
  });

  test("retries run on the cluster", async () => {
    const r = await f.retryFlow.run(opts());
    assert.equal(r.state.type, "Success");
    assert.match(String(r.outputs), /^ok on attempt 2/);
    assert.equal(r.taskState("flakyOnce").attempts, 2);
  });

  test("a timed-out synchronous task is really stopped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fg-timeout-"));
    const marker = join(dir, "marker");
    try {
      const r = await f.timeoutFlow.run(opts({ parameters: { marker } }));
      assert.equal(r.taskState("stuck").type, "TimedOut");
      await sleep(1800);
      assert.equal(existsSync(marker), false, "the task went on after its timeout");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("structured-clone values (Map, Set, Date, BigInt, typed arrays, Buffer) cross the cluster", async () => {
    const r = await f.richFlow.run(opts());
    assert.equal(r.state.type, "Success");
    const out = r.outputs as { rich: Record<string, unknown>; described: string };
    assert.equal(out.described, "1 true 1970-01-02T00:00:00.000Z 1180591620717411303424 3");
    assert.ok(out.rich.map instanceof Map);
    assert.ok(out.rich.set instanceof Set);
    assert.ok(out.rich.date instanceof Date);
    assert.equal(out.rich.big, 2n ** 70n);
    assert.ok(out.rich.floats instanceof Float64Array);
  });

  test("a function argument is refused with an error naming the task", async () => {
    await assert.rejects(f.functionArgFlow.run(opts()), (e: unknown) => {
      assert.ok(e instanceof SerializationError);
      assert.match(e.message, /task 'callIt'/);
      return true;
    });
  });

  test("a bundle that cannot load names the missing module and the worker", async () => {
    const sourceFile = fileURLToPath(new URL("./fixtures/missing-module-flow.ts", import.meta.url));
    const graph: GraphSpec = {
      nodes: [
        {
          id: "useIt",
          key: "useIt",
          args: [],
          mapped: false,
          upstream: [],
          maxRetries: 0,
          retryDelay: 0,
          timeout: 0,
          trigger: "allSuccessful",
          skipOnUpstreamSkip: true,
          tags: [],
        },
      ],
    };
    await assert.rejects(
      h.executor.execute({
        flowRunId: "missing-module-run",
        flowName: "cluster-missing-module",
        graph,
        parameters: {},
        host: { invoke: () => Promise.reject(new Error("not local")) },
        sourceFile,
        keep: new Set([0]),
        signal: new AbortController().signal,
        onLog: () => {},
      }),
      (e: unknown) => {
        assert.ok(e instanceof BundleLoadError, String(e));
        assert.match(e.message, /flowgate-test-no-such-package/);
        assert.match(e.message, /worker 'local-\d'/);
        return true;
      },
    );
  });
});

// Mutual TLS over 127.0.0.1: what a LocalCluster uses with transport "tls", and what every
// scheduler reached over TCP (a gateway's, `flowgate scheduler --tls-cert`) speaks.
describe('LocalCluster({ transport: "tls" })', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ workers: 1, transport: "tls" });
  });
  after(async () => {
    await h?.close();
  });

  test("listens on tls://127.0.0.1 with the cluster's credentials", () => {
    assert.equal(h.cluster.transport, "tls");
    assert.match(h.cluster.address, /^tls:\/\/127\.0\.0\.1:\d+$/);
    assert.match(h.cluster.security?.tlsCert ?? "", /BEGIN CERTIFICATE/);
  });

  test("a client without the cluster's certificate is refused", async () => {
    const other = await makeClusterCredentials("intruder");
    await assert.rejects(
      ClusterClient.connect(h.cluster.address, other, 5000),
      ClusterConnectError,
    );
    const plain = h.cluster.address.replace("tls://", "tcp://");
    await assert.rejects(ClusterClient.connect(plain, undefined, 5000));
    const stranger = new ClusterExecutor({
      address: h.cluster.address,
      security: other,
      connectTimeout: 5000,
    });
    await assert.rejects(
      timesTwo.run({ executor: stranger, printLogs: false }),
      ClusterConnectError,
    );
  });
  test("a ws:// tunnel carries the TLS stream end to end and sends the extra upgrade headers", async () => {
    const port = Number(new URL(h.cluster.address.replace("tls:", "http:")).port);
    const seen: string[] = [];
    const server = http.createServer();
    const wss = new WebSocketServer({ server, path: "/clusters/c1/scheduler" });
    wss.on("connection", (ws, req) => {
      seen.push(String(req.headers.authorization));
      const tunnel = createWebSocketStream(ws);
      const upstream = net.connect(port, "127.0.0.1");
      tunnel.pipe(upstream).pipe(tunnel);
      tunnel.on("error", () => upstream.destroy());
      upstream.on("error", () => tunnel.destroy());
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const address = `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/clusters/c1/scheduler`;
    const executor = new ClusterExecutor({
      address,
      security: { ...h.cluster.security!, headers: { authorization: "token abc" } },
    });
    try {
      const r = await timesTwo.run({ executor, printLogs: false, parameters: { x: [1, 2, 3] } });
      assert.equal(r.outputs, 12);
      assert.deepEqual(seen, ["token abc"]);
    } finally {
      executor.close();
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      server.close();
    }
  });
});

describe("a 5-second CPU-bound task", () => {
  test("does not get its worker declared dead", async () => {
    const h = await startHarness({ workers: 1, restartWorkers: false });
    try {
      const pidsBefore = [...h.cluster.pids];
      const r = await f.cpuFlow.run({ executor: h.executor, printLogs: false });
      assert.equal(r.state.type, "Success");
      assert.equal(r.outputs, "done");
      assert.deepEqual(h.cluster.pids, pidsBefore, "no worker was restarted");
      assert.deepEqual(h.cluster.workerNames, ["local-0"]);
    } finally {
      await h.close();
    }
  });
});
