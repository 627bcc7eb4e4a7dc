// A LocalCluster's scheduler in the caller's process (the default) and in a process of its own,
// and the in-memory transport between a client and a scheduler in one process.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { describe, test } from "node:test";
import timesTwo from "../../examples/times-two.ts";
import { ClusterClient, makeClusterCredentials } from "../../src/cluster/index.ts";
import type { Message } from "../../src/cluster/wire/connection.ts";
import {
  connectInProcess,
  memoryLinks,
  serveInProcess,
  type MessageLink,
} from "../../src/cluster/wire/message-link.ts";
import { startHarness, type Harness } from "./fixtures/cluster-harness.ts";

type Link = MessageLink<Message, Message>;

/** Connected sockets on the server side of the Unix socket at `path` (from /proc/net/unix). */
function acceptedOn(path: string): number {
  return readFileSync("/proc/net/unix", "utf8")
    .split("\n")
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[7] === path && f[5] === "03").length;
}

/** A cluster process's title (it sets process.title). */
function titleOf(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8")
    .replace(/[\0\s]+/g, " ")
    .trim();
}

function received(link: Link): Message[] {
  const got: Message[] = [];
  link.onMessage = (m) => got.push(m);
  return got;
}

const closes = (link: Link) => new Promise<string>((r) => (link.onClose = r));
const turn = () => new Promise((r) => setImmediate(r));

describe("memoryLinks", () => {
  test("messages arrive in order, after the send returns, with bulk values as `values`", async () => {
    const [a, b] = memoryLinks<Message, Message, Message, Message>();
    const got = received(b);
    a.send({ t: "one" });
    a.sendLazy({ t: "two" });
    const big = Buffer.alloc(1 << 20, 7);
    a.sendBulk({ t: "three" }, [big, null]);
    assert.equal(got.length, 0, "nothing is delivered inside the sender's call");
    await turn();
    assert.deepEqual(
      got.map((m) => m.t),
      ["one", "two", "three"],
    );
    assert.deepEqual(got[2]!.values, [big, null]);
    const back = received(a);
    b.send({ t: "hello", workers: 2 });
    await turn();
    assert.deepEqual(back, [{ t: "hello", workers: 2 }]);
  });

  test("closing one end closes the other after what was sent before, and drops later sends", async () => {
    const [a, b] = memoryLinks<Message, Message, Message, Message>();
    const got = received(b);
    const closed = closes(b);
    let mine = "";
    a.onClose = (r) => (mine = r);
    a.send({ t: "last" });
    a.close("client closing");
    assert.equal(mine, "client closing");
    assert.equal(a.closed, true);
    a.send({ t: "after" });
    assert.equal(await closed, "connection closed");
    assert.deepEqual(
      got.map((m) => m.t),
      ["last"],
    );
    assert.equal(b.closed, true);
  });
});

describe("serveInProcess", () => {
  test("a client reaches the acceptor in memory, without a socket, until it is undone", async () => {
    const address = "unix:///nonexistent-flowgate-dir/scheduler.sock";
    const accepted: Link[] = [];
    const undo = serveInProcess<Message, Message>(
      address,
      (link) => {
        accepted.push(link);
        link.onMessage = (m) => m.t === "hello-client" && link.send({ t: "hello", workers: 0 });
      },
      undefined,
    );
    const client = await ClusterClient.connect(address, undefined, 2000);
    assert.equal(accepted.length, 1);
    client.close();
    undo();
    assert.equal(connectInProcess(address, undefined), undefined);
    await assert.rejects(ClusterClient.connect(address, undefined, 2000), /ENOENT/);
  });

  test("a TLS scheduler admits in memory only its own credentials; others go to the socket", async () => {
    const [mine, other] = await Promise.all([
      makeClusterCredentials("owner"),
      makeClusterCredentials("intruder"),
    ]);
    const address = "tls://127.0.0.1:1"; // nothing listens on port 1
    const undo = serveInProcess(address, (link) => link.close(), mine);
    try {
      assert.equal(connectInProcess(address, other), undefined);
      assert.equal(connectInProcess(address, undefined), undefined);
      const ok = connectInProcess(address, mine);
      assert.ok(ok);
      ok.close();
      await assert.rejects(ClusterClient.connect(address, other, 2000), /ECONNREFUSED/);
    } finally {
      undo();
    }
  });
});

/** times-two on the harness's cluster gives 2 · (1 + 2 + 3). */
async function runsTimesTwo(h: Harness): Promise<void> {
  const r = await timesTwo.run({
    executor: h.executor,
    printLogs: false,
    parameters: { x: [1, 2, 3] },
  });
  assert.equal(r.outputs, 12);
}

describe("LocalCluster's scheduler", () => {
  test("by default runs in this process: its processes are the workers, and this client reaches it in memory", async () => {
    const h = await startHarness({ workers: 2 });
    const socket = h.cluster.address.slice("unix://".length);
    try {
      assert.equal(h.cluster.pids.length, 2);
      for (const pid of h.cluster.pids) assert.equal(titleOf(pid), "flowgate-worker");
      await runsTimesTwo(h);
      assert.equal(acceptedOn(socket), 2, "the two workers' connections, and not the client's");
    } finally {
      await h.close();
    }
    assert.equal(existsSync(dirname(socket)), false);
  });

  test("a program that blocks its event loop for longer than the heartbeat timeout keeps its workers", async () => {
    const h = await startHarness({ workers: 2 });
    try {
      const before = [...h.cluster.pids];
      const until = Date.now() + 7000; // the scheduler drops a worker silent for 5 s
      while (Date.now() < until); // synchronous work in the program that owns the scheduler
      await new Promise((r) => setTimeout(r, 1500)); // two sweeps after the stall
      await runsTimesTwo(h);
      const status = (await (
        await fetch(h.cluster.dashboardLink.replace(/\/status$/, "/api/status"))
      ).json()) as { workers: unknown[] };
      assert.equal(status.workers.length, 2, "both workers are still the scheduler's");
      assert.deepEqual(h.cluster.pids, before, "no worker was restarted");
    } finally {
      await h.close();
    }
  });

  test('with scheduler: "process" runs as a child process, reached over its socket', async () => {
    const h = await startHarness({ workers: 2, scheduler: "process" });
    const socket = h.cluster.address.slice("unix://".length);
    try {
      assert.equal(h.cluster.pids.length, 3);
      assert.equal(titleOf(h.cluster.pids[0]!), "flowgate-scheduler");
      await runsTimesTwo(h);
      assert.equal(acceptedOn(socket), 3, "the two workers' connections and the client's");
    } finally {
      await h.close(); // asserts that the scheduler's process is gone too
    }
  });
});
