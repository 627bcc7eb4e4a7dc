import assert from "node:assert/strict";
import { connect } from "node:tls";
import { after, before, describe, it } from "node:test";
import WebSocket, { createWebSocketStream } from "ws";
import {
  api,
  createRunning,
  startTestGateway,
  tempDir,
  testConfig,
  type TestGateway,
  stopAndClean,
} from "./helpers/harness.ts";

const basic = (user: string) => `Basic ${Buffer.from(`${user}:`).toString("base64")}`;

/** Opens the WebSocket tunnel; resolves the socket or rejects with the HTTP status of a refusal. */
function openTunnel(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) =>
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })),
    );
    ws.once("error", reject);
  });
}

/** TLS through the tunnel, as a client of the scheduler; sends "ping", resolves the reply. */
function pingThrough(
  ws: WebSocket,
  tlsOpts: { cert?: string; key?: string; ca: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const stream = createWebSocketStream(ws);
    stream.on("error", () => {});
    const s = connect(
      { socket: stream as never, ...tlsOpts, checkServerIdentity: () => undefined },
      () => s.write("ping\n"),
    );
    s.on("data", (d) => {
      resolve(d.toString());
      s.destroy();
    });
    s.on("error", reject);
    s.on("close", () => reject(new Error("closed")));
  });
}

describe("gateway tunnel and dashboard - one public address", () => {
  const dir = tempDir();
  let gw: TestGateway;
  let name: string;
  let model: { tls_cert: string; tls_key: string; tunnel_path: string };
  before(async () => {
    gw = await startTestGateway(testConfig(dir), dir);
    name = await createRunning(gw.address);
    model = (await api(gw.address, "GET", `/api/v1/clusters/${name}?extended=true`)).body;
  });
  after(() => stopAndClean(gw, dir));
  const wsUrl = () => gw.address.replace(/^http/, "ws") + model.tunnel_path;

  it("mutual TLS runs end to end through the WebSocket tunnel with the cluster's certificate", async () => {
    const ws = await openTunnel(wsUrl(), { authorization: basic("alice") });
    assert.equal(
      await pingThrough(ws, { cert: model.tls_cert, key: model.tls_key, ca: model.tls_cert }),
      "pong\n",
    );
  });

  it("a client without the cluster's certificate cannot reach the scheduler", async () => {
    const ws = await openTunnel(wsUrl(), { authorization: basic("alice") });
    await assert.rejects(pingThrough(ws, { ca: model.tls_cert }));
  });

  it("the upgrade is authenticated as the user: none -> 401, another user -> 403, unknown -> 404", async () => {
    await assert.rejects(openTunnel(wsUrl(), {}), { status: 401 });
    await assert.rejects(openTunnel(wsUrl(), { authorization: basic("bob") }), { status: 403 });
    await assert.rejects(
      openTunnel(gw.address.replace(/^http/, "ws") + "/clusters/nope/scheduler", {
        authorization: basic("alice"),
      }),
      { status: 404 },
    );
  });

  it("other /clusters/{name}/* paths reach the dashboard with the prefix stripped", async () => {
    const r = await api(gw.address, "GET", `/clusters/${name}/status?x=1`);
    assert.equal(r.status, 200);
    assert.equal(r.text, `fake dashboard of ${name} at /status?x=1 GET `);
    const p = await api(gw.address, "POST", `/clusters/${name}/graph`, {
      rawBody: "abc",
      headers: { "content-type": "text/plain" },
    });
    assert.equal(p.text, `fake dashboard of ${name} at /graph POST abc`);
    assert.equal(
      (await api(gw.address, "GET", `/clusters/${name}/status`, { auth: "none" })).status,
      401,
    );
  });
});
