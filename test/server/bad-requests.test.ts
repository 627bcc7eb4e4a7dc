import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { registerTestFlow, startTestServer, testDatabase } from "./support/test-server.ts";

const auth = `Basic ${Buffer.from("ada:").toString("base64")}`;
const bodies: (string | undefined)[] = [
  undefined,
  "",
  "{",
  "null",
  "[]",
  "42",
  '"text"',
  "{}",
  '{"unknown": 1}',
  '{"flow": null}',
  '{"flow": {}}',
  '{"flow": "x", "parameters": []}',
  '{"flow": 1, "startAt": "not a time"}',
  '{"name": "", "storage": {}}',
  '{"name": "f", "storage": {"type": "bundle", "hash": "zz"}, "graph": {}}',
  '{"state": "Exploded"}',
  '{"updates": []}',
  '{"updates": [{"task": 1}]}',
  '{"lines": [{"time": -1}]}',
  '{"max": 0}',
  '{"waitMs": 1e9}',
  '{"url": "ftp://x", "secret": "short"}',
  '{"limit": -1}',
  '{"clocks": [{"type": "cron", "cron": "61 * * * *"}]}',
  '{"clocks": [{"type": "cron", "cron": "* * * * *", "timezone": "Mars/Olympus"}]}',
  '{"clocks": [{"type": "interval", "every": 0}]}',
  '{"__proto__": {"admin": true}}',
  "x".repeat(5000),
];

let t: Awaited<ReturnType<typeof startTestServer>>;
let drop: () => Promise<void>;
let flow = 0;
before(async () => {
  const db = await testDatabase("sqlite");
  drop = db.drop;
  t = await startTestServer(db.url);
  flow = await registerTestFlow(t.client("ada"), "fuzz");
});
after(async () => {
  await t?.close();
  await drop?.();
});

test("bad requests - every malformed body, path or query gets a 4xx with {error}, never a 5xx", async () => {
  const routes: [string, string][] = [
    ["POST", "/api/runs"],
    ["POST", "/api/flows"],
    ["PUT", "/api/bundles/abc"],
    ["PUT", `/api/bundles/${"a".repeat(64)}`],
    ["POST", "/api/runs/1/state"],
    ["POST", "/api/runs/999999/cancel"],
    ["POST", "/api/runs/1/task-states"],
    ["POST", "/api/runs/1/logs"],
    ["PUT", "/api/runs/1/cluster"],
    ["PUT", "/api/runs/1/cost"],
    ["POST", "/api/agents"],
    ["POST", "/api/agents/1/claim"],
    ["POST", "/api/agents/1/heartbeat"],
    ["POST", "/api/webhooks"],
    ["PUT", "/api/concurrency-limits/flow/1"],
    ["PUT", "/api/concurrency-limits/planet/1"],
    ["PUT", `/api/flows/${flow}/schedule`],
    ["POST", `/api/flows/${flow}/schedule/pause`],
  ];
  const gets = [
    "/api/runs/abc",
    "/api/runs/0",
    "/api/runs/-1",
    "/api/runs/99999999999999999999",
    "/api/runs?limit=0",
    "/api/runs?limit=abc",
    "/api/runs?state=Nope&since=-5",
    "/api/runs?bogus=1",
    "/api/runs?flow=does-not-exist",
    "/api/runs?cursor=%00",
    "/api/flows/1/versions/0",
    "/api/runs/1/tasks/timeline?samples=0",
    "/api/runs/1/logs?after=-1",
    "/api/bundles/xyz",
    "/api/nothing-here",
    "/api/runs/1/events?x=1",
  ];
  const failures: string[] = [];
  const check = async (method: string, path: string, body?: string, type = "application/json") => {
    const headers: Record<string, string> = { authorization: auth };
    if (body !== undefined) headers["content-type"] = type;
    const r = await fetch(t.server.url + path, { method, headers, body });
    const text = await r.text();
    let json: { error?: unknown } = {};
    try {
      json = JSON.parse(text) as { error?: unknown };
    } catch {
      /* checked below */
    }
    if (r.status < 400 || r.status >= 500 || typeof json.error !== "string")
      failures.push(
        `${method} ${path} ${JSON.stringify(body)?.slice(0, 60)} -> ${r.status} ${text.slice(0, 120)}`,
      );
  };
  for (const [method, path] of routes) {
    for (const body of bodies) {
      // a few bodies are valid for some routes: those must succeed, not be counted
      if (
        body === "{}" &&
        (path.endsWith("/claim") || path.endsWith("/heartbeat") || path.endsWith("/pause"))
      )
        continue;
      await check(method, path, body);
    }
    await check(method, path, "<xml/>", "application/xml");
  }
  for (const g of gets) await check("GET", g);
  const noAuth = await fetch(`${t.server.url}/api/runs`);
  assert.equal(noAuth.status, 401);
  assert.match(noAuth.headers.get("www-authenticate") ?? "", /Basic/);
  assert.deepEqual(failures, []);
});

test("bad requests - the OpenAPI document lists every route", async () => {
  const r = await fetch(`${t.server.url}/api/openapi.json`);
  const doc = (await r.json()) as { openapi: string; paths: Record<string, unknown> };
  assert.match(doc.openapi, /^3\./);
  for (const p of [
    "/api/runs",
    "/api/runs/{id}/events",
    "/api/agents/{id}/claim",
    "/api/flows/{id}/schedule",
    "/api/webhooks",
  ])
    assert.ok(p in doc.paths, `${p} missing from the OpenAPI paths`);
});

test("bad requests - an unknown value in an enum filter or field is a 422 naming it and the valid ones", async () => {
  const ada = t.client("ada");
  const run = await ada.createRun({ flow: "fuzz", startAt: Date.now() + 3_600_000 });
  const cases: [string, string, string | undefined, RegExp][] = [
    [
      "GET",
      "/api/runs?state=Bogus",
      undefined,
      /^state "Bogus" is not one of Scheduled, Queued, Submitted, Running, Cancelling, Success, Failed, Cancelled, Crashed; /,
    ],
    [
      "GET",
      "/api/runs?state=Success,%20Bogus",
      undefined,
      /^state "Bogus" is not one of Scheduled, /,
    ],
    [
      "GET",
      `/api/runs/${run.id}/tasks?state=Bogus`,
      undefined,
      /^state "Bogus" is not one of Pending, Running, .*TimedOut, Cancelled; /,
    ],
    [
      "POST",
      "/api/webhooks",
      JSON.stringify({ url: "http://127.0.0.1:9/", secret: "s".repeat(32), states: ["Bogus"] }),
      /body\/states\/0 is "Bogus", not one of Scheduled, Queued, .*Crashed; /,
    ],
    [
      "POST",
      `/api/runs/${run.id}/state`,
      JSON.stringify({ state: "Exploded", agentId: 1 }),
      /body\/state is "Exploded", not one of Scheduled, /,
    ],
  ];
  for (const [method, path, body, expected] of cases) {
    const r = await fetch(t.server.url + path, {
      method,
      headers: { authorization: auth, ...(body ? { "content-type": "application/json" } : {}) },
      body,
    });
    const json = (await r.json()) as { error: string };
    assert.equal(r.status, 422, `${method} ${path}: ${json.error}`);
    assert.match(json.error, expected, `${method} ${path}`);
  }
  // the valid forms still filter
  const ok = await ada.listRuns({ state: "Scheduled,Queued" });
  assert.deepEqual(
    ok.items.map((r) => r.id),
    [run.id],
  );
  const tasks = await fetch(`${t.server.url}/api/runs/${run.id}/tasks?state=Running,Success`, {
    headers: { authorization: auth },
  });
  assert.equal(tasks.status, 200);
});
