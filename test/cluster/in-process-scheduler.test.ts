// A LocalCluster's scheduler in the caller's process (the default) and in a process of its own,
// and the in-memory transport between a client and a scheduler in one process.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { describe, test } from "node:test";
import timesTwo from "../../examples/times-two.ts";
import { ClusterConnectError, makeClusterCredentials } from "../../src/cluster/index.ts";
import { Connection, type Message } from "../../src/cluster/wire/connection.ts";
import { dial } from "../../src/cluster/wire/dial.ts";
import {
  connectInProcess,
  memoryPipe,
  serveInProcess,
} from "../../src/cluster/wire/memory-transport.ts";
import { startHarness } from "./fixtures/cluster-harness.ts";

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

const arrives = (c: Connection) => new Promise<Message>((r) => (c.onMessage = r));
const closes = (c: Connection) => new Promise<string>((r) => (c.onClose = r));

describe("memoryPipe", () => {
  test("what one end writes the other reads, in order, after the write returns", async () => {
    const [a, b] = memoryPipe();
    const got: string[] = [];
    b.on("data", (d: Buffer) => got.push(d.toString()));
    a.write("one");
    a.cork();
    a.write("two");
    a.write("three");
    a.uncork();
    assert.deepEqual(got, [], "nothing is delivered inside the writer's call");
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got, ["one", "two", "three"]);
    a.destroy();
    b.destroy();
  });

  test("ending or destroying one end closes the other", async () => {
    for (const stop of ["end", "destroy"] as const) {
      const [a, b] = memoryPipe();
      const conn = new Connection(b);
      const closed = closes(conn);
      a[stop]();
      assert.equal(await closed, "connection closed", `after ${stop}()`);
    }
  });

  test("framed messages and raw attachments cross it both ways", async () => {
    const [a, b] = memoryPipe();
    const left = new Connection(a);
    const right = new Connection(b);
    const big = Buffer.alloc(3 << 20, 7);
    const gotRight = arrives(right);
    left.sendBulk({ t: "result", ref: 1 }, [big, null, Buffer.from("x")]);
    const m = (await gotRight) as Message & { values: (Buffer | null)[] };
    assert.equal(m.t, "result");
    assert.deepEqual(
      m.values.map((v) => v?.length ?? null),
      [3 << 20, null, 1],
    );
    assert.ok(m.values[0]!.equals(big));
    const gotLeft = arrives(left);
    right.send({ t: "hello", workers: 2 });
    assert.deepEqual(await gotLeft, { t: "hello", workers: 2 });
    left.close();
    right.close();
  });
});

describe("serveInProcess", () => {
  test("dial reaches the acceptor in memory, without a socket, until it is undone", async () => {
    const address = "unix:///nonexistent-flowgate-dir/scheduler.sock";
    const accepted: Connection[] = [];
    const undo = serveInProcess(address, (s) => accepted.push(new Connection(s)), undefined);
    const client = await dial(address, undefined);
    assert.equal(accepted.length, 1);
    const got = arrives(accepted[0]!);
    client.send({ t: "hello-client" });
    assert.deepEqual(await got, { t: "hello-client" });
    client.close();
    accepted[0]!.close();
    undo();
    assert.equal(connectInProcess(address), undefined);
    await assert.rejects(dial(address, undefined, 2000), (e: unknown) => {
      assert.ok(e instanceof ClusterConnectError);
      assert.match(e.message, /ENOENT/);
      return true;
    });
  });

  test("a TLS scheduler admits in memory only its own credentials; others go to the socket", async () => {
    const [mine, other] = await Promise.all([
      makeClusterCredentials("owner"),
      makeClusterCredentials("intruder"),
    ]);
    const address = "tls://127.0.0.1:1"; // nothing listens on port 1
    const undo = serveInProcess(address, (s) => s.destroy(), mine);
    try {
      assert.equal(connectInProcess(address, other), undefined);
      assert.equal(connectInProcess(address, undefined), undefined);
      const ok = connectInProcess(address, mine);
      assert.ok(ok);
      ok.destroy();
      await assert.rejects(dial(address, other, 2000), ClusterConnectError);
    } finally {
      undo();
    }
  });
});

describe("LocalCluster's scheduler", () => {
  test("by default runs in this process: its processes are the workers, and this client reaches it in memory", async () => {
    const h = await startHarness({ workers: 2 });
    const socket = h.cluster.address.slice("unix://".length);
    try {
      assert.equal(h.cluster.pids.length, 2);
      for (const pid of h.cluster.pids) assert.equal(titleOf(pid), "flowgate-worker");
      const r = await timesTwo.run({
        executor: h.executor,
        printLogs: false,
        parameters: { x: [1, 2, 3] },
      });
      assert.equal(r.outputs, 12);
      assert.equal(acceptedOn(socket), 2, "the two workers' connections, and not the client's");
    } finally {
      await h.close();
    }
    assert.equal(existsSync(dirname(socket)), false);
  });

  test('with scheduler: "process" runs as a child process, reached over its socket', async () => {
    const h = await startHarness({ workers: 2, scheduler: "process" });
    const socket = h.cluster.address.slice("unix://".length);
    try {
      assert.equal(h.cluster.pids.length, 3);
      assert.equal(titleOf(h.cluster.pids[0]!), "flowgate-scheduler");
      const r = await timesTwo.run({
        executor: h.executor,
        printLogs: false,
        parameters: { x: [1, 2, 3] },
      });
      assert.equal(r.outputs, 12);
      assert.equal(acceptedOn(socket), 3, "the two workers' connections and the client's");
    } finally {
      await h.close(); // asserts that the scheduler's process is gone too
    }
  });
});
