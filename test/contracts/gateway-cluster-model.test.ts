import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it, test } from "node:test";
import {
  DASK_CLUSTER_KEYS,
  EXTENDED_CLUSTER_KEYS,
} from "../../src/gateway/server/cluster-model.ts";
import {
  api,
  createRunning,
  startTestGateway,
  tempDir,
  testConfig,
  waitFor,
  type TestGateway,
  stopAndClean,
} from "../gateway/server/helpers/harness.ts";

const root = new URL("../../", import.meta.url).pathname;

/**
 * What dask_gateway 2023.1.1 does with a cluster model (`ClusterReport._from_json`): it pops
 * name, dashboard_route, status, start_time and stop_time and calls
 * `ClusterReport(name, scheduler_address, dashboard_link, status, options, start_time,
 * stop_time, tls_cert=None, tls_key=None)` with the rest as keyword arguments. Throws the
 * TypeError Python raises for an unexpected, repeated or missing argument.
 */
function pythonClusterReport(msg: Record<string, unknown>): void {
  const rest = { ...msg };
  for (const k of ["name", "dashboard_route", "status", "start_time", "stop_time"]) {
    if (!(k in rest)) throw new TypeError(`KeyError: '${k}'`);
    delete rest[k];
  }
  const given = new Set([
    "name",
    "scheduler_address",
    "dashboard_link",
    "status",
    "start_time",
    "stop_time",
  ]);
  const params = ["options", "tls_cert", "tls_key"];
  for (const k of Object.keys(rest)) {
    if (given.has(k))
      throw new TypeError(`ClusterReport() got multiple values for keyword argument '${k}'`);
    if (!params.includes(k))
      throw new TypeError(`ClusterReport() got an unexpected keyword argument '${k}'`);
  }
  if (!("options" in rest))
    throw new TypeError("ClusterReport() missing 1 required positional argument: 'options'");
}

function assertDaskModel(model: Record<string, unknown>, where: string): void {
  assert.deepEqual(Object.keys(model).sort(), [...DASK_CLUSTER_KEYS].sort(), where);
  assert.doesNotThrow(() => pythonClusterReport(model), where);
}

test("cluster model contract - the Python client's ClusterReport(**msg) rejects flowgate's extension keys", () => {
  // Pins the emulation itself: the old default model (with extensions) is what broke the client.
  const daskOnly = {
    name: "n",
    dashboard_route: null,
    status: "RUNNING",
    start_time: 1,
    stop_time: null,
    options: {},
    tls_cert: null,
    tls_key: null,
  };
  assert.doesNotThrow(() => pythonClusterReport(daskOnly));
  assert.throws(
    () => pythonClusterReport({ ...daskOnly, scheduler_address: "tls://x:1" }),
    /multiple values for keyword argument 'scheduler_address'/,
  );
  for (const k of EXTENDED_CLUSTER_KEYS)
    assert.throws(() => pythonClusterReport({ ...daskOnly, [k]: null }), TypeError, k);
});

describe("cluster model contract - every path that returns a cluster carries exactly Dask Gateway's keys", () => {
  const dir = tempDir();
  let gw: TestGateway;
  let a: string;
  before(async () => {
    gw = await startTestGateway(testConfig(dir), dir);
    a = gw.address;
  });
  after(() => stopAndClean(gw, dir));

  it("create, get, get?wait, list (every status filter), after delete; ?extended=true adds the documented extensions", async () => {
    const created = await api(a, "POST", "/api/v1/clusters/", { body: { cluster_options: {} } });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.body), ["name"]);
    const pending = await api(a, "GET", `/api/v1/clusters/${created.body.name}`);
    assertDaskModel(pending.body, "GET one (just created)");

    const name = await createRunning(a);
    const one = await api(a, "GET", `/api/v1/clusters/${name}`);
    assert.equal(one.body.status, "RUNNING");
    assertDaskModel(one.body, "GET one (RUNNING)");
    assertDaskModel((await api(a, "GET", `/api/v1/clusters/${name}?wait`)).body, "GET ?wait");
    for (const q of ["", "?status=RUNNING", "?status=running&status=pending", "?extended=false"]) {
      const list = await api(a, "GET", `/api/v1/clusters/${q}`);
      assert.equal(list.status, 200, q);
      assert.ok(name in list.body, q);
      for (const m of Object.values(list.body))
        assertDaskModel(m as Record<string, unknown>, `list ${q}`);
    }

    const ext = (await api(a, "GET", `/api/v1/clusters/${name}?extended=true`)).body;
    assert.deepEqual(
      Object.keys(ext).sort(),
      [...DASK_CLUSTER_KEYS, ...EXTENDED_CLUSTER_KEYS].sort(),
    );
    const extList = (await api(a, "GET", "/api/v1/clusters/?extended=true")).body;
    assert.deepEqual(Object.keys(extList[name]).sort(), Object.keys(ext).sort());

    for (const n of [name, created.body.name as string])
      assert.equal((await api(a, "DELETE", `/api/v1/clusters/${n}`)).status, 204);
    await waitFor(async () => {
      const r = await api(a, "GET", "/api/v1/clusters/?status=STOPPING,STOPPED,FAILED");
      for (const m of Object.values(r.body))
        assertDaskModel(m as Record<string, unknown>, "list stopped");
      return (
        Object.keys(r.body).length === 2 &&
        Object.values(r.body).every((m) => (m as { status: string }).status === "STOPPED")
      );
    }, "both STOPPED");
    assertDaskModel((await api(a, "GET", `/api/v1/clusters/${name}`)).body, "GET one (STOPPED)");
  });

  it("CONTRACTS.md documents each extension key and the opt-in", () => {
    const doc = readFileSync(join(root, "CONTRACTS.md"), "utf8");
    const section = doc.split(/^## /m).find((s) => s.startsWith("Gateway extensions"))!;
    assert.ok(section, "CONTRACTS.md has a Gateway extensions section");
    assert.match(section, /\?extended=true/);
    for (const k of EXTENDED_CLUSTER_KEYS) assert.match(section, new RegExp(`\\b${k}\\b`), k);
  });

  it("the real Python dask_gateway client lists, gets and stops clusters", (t) => {
    const probe = spawnSync("python3", ["-c", "import dask_gateway"], { encoding: "utf8" });
    if (probe.status !== 0) {
      t.skip(
        `python3 cannot import dask_gateway (${(probe.error?.message ?? probe.stderr.trim().split("\n").pop()) || "not installed"}); pip install dask-gateway to run it`,
      );
      return;
    }
    const out = execFileSync(
      "python3",
      [join(root, "test/contracts/fixtures/dask-gateway-client.py"), a],
      {
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    const seen = JSON.parse(out.trim().split("\n").pop()!) as {
      name: string;
      listed: string[];
      stopped: string[];
    };
    assert.ok(seen.listed.includes(seen.name));
    assert.ok(seen.stopped.includes(seen.name));
  });
});
