import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  api,
  createRunning,
  startTestGateway,
  tempDir,
  testConfig,
  type TestGateway,
  stopAndClean,
} from "./helpers/harness.ts";

describe("scheduler dashboard - the direct address needs the cluster's token; the gateway's proxy works", () => {
  const dir = tempDir();
  let gw: TestGateway;
  let name: string;
  let direct: string;
  before(async () => {
    const cfg = testConfig(dir, { clusterStartTimeoutMs: 60_000 });
    delete cfg.local; // the real flowgate scheduler
    gw = await startTestGateway(cfg, dir);
    name = await createRunning(gw.address);
    direct = (await api(gw.address, "GET", `/api/v1/clusters/${name}?extended=true`)).body
      .dashboard_address;
    assert.match(direct, /^http:\/\//);
  });
  after(() => stopAndClean(gw, dir));

  it("without or with a wrong token: 401 on every page, feed and metric; /api/health stays open", async () => {
    for (const path of ["/api/dashboard", "/events", "/metrics", "/status", "/", "/api/status"]) {
      const tries: Record<string, string>[] = [
        {},
        { authorization: "token wrong" },
        { authorization: "Basic YWxpY2U6" },
      ];
      for (const headers of tries) {
        const r = await fetch(direct + path, { headers });
        assert.equal(r.status, 401, `${path} ${JSON.stringify(headers)}`);
        assert.equal(r.headers.get("www-authenticate"), "token");
        assert.match(await r.text(), /token is required; open the dashboard through the gateway/);
      }
    }
    assert.equal((await fetch(`${direct}/api/health`)).status, 200);
  });

  it("through the gateway (user credentials) the same paths answer", async () => {
    const snapshot = await api(gw.address, "GET", `/clusters/${name}/api/dashboard`);
    assert.equal(snapshot.status, 200);
    assert.equal(typeof snapshot.body, "object");
    const metrics = await api(gw.address, "GET", `/clusters/${name}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /^# (HELP|TYPE) /m);
    const page = await api(gw.address, "GET", `/clusters/${name}/status`);
    assert.equal(page.status, 200);
    const events = new AbortController();
    const feed = await fetch(`${gw.address}/clusters/${name}/events`, {
      headers: { authorization: `Basic ${Buffer.from("alice:").toString("base64")}` },
      signal: events.signal,
    });
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get("content-type") ?? "", /text\/event-stream/);
    events.abort();
    assert.equal(
      (await api(gw.address, "GET", `/clusters/${name}/metrics`, { auth: "none" })).status,
      401,
    );
  });
});
