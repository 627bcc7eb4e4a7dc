import assert from "node:assert/strict";
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { hashPassword } from "../../../src/gateway/server/index.ts";
import {
  cleanup,
  clusterProcesses,
  createRunning,
  startTestGateway,
  tempDir,
  testConfig,
  type TestGateway,
  stopAndClean,
} from "./helpers/harness.ts";

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** One request from a chosen loopback source address (the limits count per client address). */
function call(
  address: string,
  o: { method?: string; path?: string; auth: string; from: string; body?: unknown },
): Promise<{ status: number; retryAfter: string | undefined; ms: number }> {
  const u = new URL(address);
  const started = performance.now();
  const body = o.body === undefined ? undefined : JSON.stringify(o.body);
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: u.hostname,
        port: u.port,
        method: o.method ?? "GET",
        path: o.path ?? "/api/v1/clusters/",
        localAddress: o.from,
        agent: false,
        headers: {
          authorization: o.auth,
          ...(body && { "content-type": "application/json" }),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          resolve({
            status: res.statusCode!,
            retryAfter: res.headers["retry-after"],
            ms: performance.now() - started,
          }),
        );
      },
    );
    r.on("error", reject);
    r.end(body);
  });
}

/** Opens a raw connection, writes `text` and resolves with what the server sent before closing. */
function rawUntilClosed(
  address: string,
  text: string,
): { socket: Socket; answer: Promise<string> } {
  const u = new URL(address);
  const socket = connect(Number(u.port), u.hostname);
  socket.write(text);
  let got = "";
  socket.on("data", (d) => (got += d));
  const answer = new Promise<string>((resolve) => {
    socket.on("close", () => resolve(got));
    socket.on("error", () => undefined);
  });
  return { socket, answer };
}

describe("gateway hostile clients - header and body timeouts", () => {
  const dir = tempDir();
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway(
      testConfig(dir, { headersTimeoutMs: "1s", bodyTimeoutMs: "2s" }),
      dir,
    );
  });
  after(async () => {
    assert.equal(await gw.stop(), 0);
    cleanup(dir, gw.dataDir);
  });

  it("incomplete headers and a body that stops after 3 of 100 bytes are answered 408 and closed", async () => {
    const headers = rawUntilClosed(gw.address, "GET /api/health HTTP/1.1\r\nHost: x\r\n");
    const body = rawUntilClosed(
      gw.address,
      'POST /api/v1/clusters/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"c',
    );
    // Node's defaults held these for 60-300 s; the limit is generous against a busy machine.
    const limit = new Promise<string>((r) => setTimeout(() => r("still open"), 20_000).unref());
    assert.match(await Promise.race([headers.answer, limit]), /^HTTP\/1\.1 408/);
    assert.match(await Promise.race([body.answer, limit]), /^HTTP\/1\.1 408/);
  });
});

describe("gateway hostile clients - shutdown", () => {
  const dir = tempDir();
  after(() => cleanup(dir));

  it("SIGTERM exits within the grace period although a client sent 3 of 100 promised bytes", async () => {
    const gw = await startTestGateway(
      testConfig(dir, { bodyTimeoutMs: "10m", shutdownGraceMs: "3s" }),
      dir,
    );
    await createRunning(gw.address);
    const slow = rawUntilClosed(
      gw.address,
      'POST /api/v1/clusters/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"c',
    );
    const idle = rawUntilClosed(gw.address, "GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n");
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const code = await gw.stop(); // the slow client never sends more and never closes
    const took = Date.now() - started;
    slow.socket.destroy();
    idle.socket.destroy();
    assert.equal(code, 0, gw.stderr());
    // Grace 3 s (+1 s before the hard exit); before the fix it waited for the client (120 s).
    assert.ok(took < 10_000, `gateway took ${took} ms to exit`);
    assert.deepEqual(clusterProcesses(gw.dataDir), []);
  });
});

describe("gateway hostile clients - failed authentication is limited and does not slow others", () => {
  const dir = tempDir();
  let gw: TestGateway;
  before(async () => {
    const users: Record<string, { passwordHash: string }> = {};
    for (const u of ["alice", "bob", "carol"])
      users[u] = { passwordHash: await hashPassword(`${u}-pw`) };
    // Schedulers that only sleep: starting them costs no CPU, so the creates measured below
    // compete only with the flood, not with the boot of earlier clusters.
    const sleeper = ["/bin/sh", "-c", "exec sleep 120"];
    gw = await startTestGateway(
      testConfig(dir, {
        auth: { type: "basic", users },
        local: {
          schedulerCommand: sleeper,
          workerCommand: sleeper,
          warmProcesses: 0,
          stopGraceMs: 1000,
        },
      }),
      dir,
    );
  });
  after(() => stopAndClean(gw, dir));

  it("an address with 20 failures gets 429 with Retry-After, even for right credentials; other addresses do not", async () => {
    for (let i = 0; i < 20; i++) {
      const r = await call(gw.address, { auth: basic(`guess${i}`, "x"), from: "127.0.0.2" });
      assert.equal(r.status, 401, `attempt ${i}`);
    }
    const limited = await call(gw.address, { auth: basic("guess99", "x"), from: "127.0.0.2" });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.retryAfter) >= 1 && Number(limited.retryAfter) <= 60);
    assert.equal(
      (await call(gw.address, { auth: basic("alice", "alice-pw"), from: "127.0.0.2" })).status,
      429,
    );
    assert.equal(
      (await call(gw.address, { auth: basic("alice", "alice-pw"), from: "127.0.0.3" })).status,
      200,
    );
  });

  it("a user name with 10 failures (from any addresses) gets 429; other users do not", async () => {
    for (let i = 0; i < 10; i++) {
      const r = await call(gw.address, { auth: basic("bob", `no${i}`), from: `127.0.1.${i + 1}` });
      assert.equal(r.status, 401, `attempt ${i}`);
    }
    const r = await call(gw.address, { auth: basic("bob", "no"), from: "127.0.1.50" });
    assert.equal(r.status, 429);
    assert.ok(Number(r.retryAfter) >= 1);
    assert.equal(
      (await call(gw.address, { auth: basic("carol", "carol-pw"), from: "127.0.1.51" })).status,
      200,
    );
  });

  it("a wrong-password flood from 50 addresses: a logged-in user's create takes <= 0.5 s", async (t) => {
    const alice = basic("alice", "alice-pw");
    assert.equal((await call(gw.address, { auth: alice, from: "127.0.0.4" })).status, 200);
    const create = {
      method: "POST",
      auth: alice,
      from: "127.0.0.4",
      body: { cluster_options: {} },
    };
    await call(gw.address, create); // warms the create path (first key generation, JIT)
    const quiet = await call(gw.address, create);
    let sent = 0;
    let stop = false;
    const statuses = new Map<number, number>();
    // 50 connections, each sending wrong passwords back to back; at most 2,000 requests, until the creates are measured.
    const flood = Array.from({ length: 50 }, async (_, i) => {
      for (let n = 0; n < 40 && !stop; n++) {
        sent++;
        const r = await call(gw.address, {
          auth: basic(`mallory${i}`, `x${n}`),
          from: `127.0.3.${i + 1}`,
        });
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      }
    });
    while (sent < 100) await new Promise((r) => setTimeout(r, 5));
    const took: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(gw.address, create);
      assert.equal(r.status, 201);
      took.push(Math.round(r.ms));
    }
    const fresh = await call(gw.address, { auth: basic("carol", "carol-pw"), from: "127.0.0.6" });
    stop = true;
    await Promise.all(flood);
    t.diagnostic(
      `create without a flood ${Math.round(quiet.ms)} ms; during the flood: ${took.join(", ")} ms; fresh login ${Math.round(fresh.ms)} ms; flood answers ${JSON.stringify([...statuses])}`,
    );
    assert.equal(fresh.status, 200, "a fresh login still works during the flood");
    assert.ok(statuses.get(401)! > 0, "the flood's passwords were checked");
    // The issue's bound. Best of three, so one hiccup of a shared machine does not decide it.
    assert.ok(Math.min(...took) <= 500, `creates during the flood took ${took.join(", ")} ms`);
  });
});
