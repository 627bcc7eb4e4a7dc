import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Store } from "../../src/server/store/store.ts";
import { migrate } from "../../src/server/store/migrations/migrate.ts";
import { allowedFrom } from "../../src/server/runs/run-transitions.ts";
import type { RegisterFlowRequest } from "../../src/server/api/index.ts";
import { testDatabase, type DbKind } from "./support/test-server.ts";

const ada = { name: "ada", admin: false };
const bob = { name: "bob", admin: false };

function flowReq(name: string, bytes: Buffer): RegisterFlowRequest {
  const hash = createHash("sha256").update(bytes).digest("hex");
  return {
    name,
    storage: { type: "bundle", hash, flowName: name },
    graph: { tasks: [], parameters: [] },
    labels: ["x"],
  };
}

/**
 * The store's contract, run against each database (as bullmq runs one adapter suite against
 * each backend): the same calls must give the same answers on SQLite and PostgreSQL.
 */
export function storeConformance(kind: DbKind, skip: string | false): void {
  describe(`store conformance - ${kind}`, { skip }, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let url: string;
    before(async () => {
      ({ url, drop } = await testDatabase(kind));
      store = await Store.open(url);
    });
    after(async () => {
      await store?.close();
      await drop?.();
    });

    test("migrations are recorded and applying them again does nothing", async () => {
      assert.deepEqual(await migrate(store.db), []);
      const rows = await store.db.all<{ version: number }>("SELECT version FROM schema_migrations");
      assert.deepEqual(
        rows.map((r) => Number(r.version)).sort((a, b) => a - b),
        [1, 2],
      );
    });

    test("bundles are content-addressed and stored once", async () => {
      const bytes = Buffer.from("export const a = 1;");
      const hash = createHash("sha256").update(bytes).digest("hex");
      assert.equal(await store.flows.putBundle(hash, bytes, 1), true);
      assert.equal(await store.flows.putBundle(hash, bytes, 2), false);
      assert.deepEqual(await store.flows.getBundle(hash), bytes);
      assert.equal(await store.flows.hasBundle("0".repeat(64)), false);
    });

    test("registration makes a new version only when the bundle hash changes", async () => {
      const b1 = Buffer.from("v1");
      const b2 = Buffer.from("v2");
      for (const b of [b1, b2])
        await store.flows.putBundle(createHash("sha256").update(b).digest("hex"), b, 1);
      const first = await store.flows.register(ada, flowReq("reg", b1), 10);
      assert.equal(first.created, true);
      assert.equal(first.version.version, 1);
      const same = await store.flows.register(ada, flowReq("reg", b1), 11);
      assert.equal(same.created, false);
      assert.equal(same.version.version, 1);
      const next = await store.flows.register(ada, flowReq("reg", b2), 12);
      assert.equal(next.version.version, 2);
      assert.deepEqual(
        (await store.flows.versions(first.flow.id)).map((v) => v.version),
        [2, 1],
      );
      await assert.rejects(store.flows.register(bob, flowReq("reg", b1), 13), {
        code: "FG_SERVER_FORBIDDEN",
      });
      assert.equal((await store.flows.find(ada, "default/reg")).id, first.flow.id);
      await assert.rejects(store.flows.find(bob, "reg"), { code: "FG_SERVER_NOT_FOUND" });
    });

    test("runs: create, idempotency key, filters and pagination", async () => {
      const b = Buffer.from("runs");
      await store.flows.putBundle(createHash("sha256").update(b).digest("hex"), b, 1);
      const f = await store.flows.register(ada, flowReq("runs", b), 1);
      const base = {
        flowId: f.flow.id,
        version: 1,
        user: "ada",
        parameters: { n: 1 },
        labels: ["x"],
        scheduledAt: 5,
      };
      const ids: number[] = [];
      for (let i = 0; i < 25; i++) ids.push((await store.runs.create(base, 100 + i)).run.id);
      const k1 = await store.runs.create({ ...base, idempotencyKey: "k" }, 200);
      const k2 = await store.runs.create({ ...base, idempotencyKey: "k" }, 201);
      assert.equal(k1.created, true);
      assert.equal(k2.created, false);
      assert.equal(k2.run.id, k1.run.id);
      const p1 = await store.runs.list(ada, { flowId: f.flow.id, limit: 10 });
      assert.equal(p1.items.length, 10);
      assert.equal(p1.items[0]!.id, k1.run.id);
      const p2 = await store.runs.list(ada, { flowId: f.flow.id, limit: 10, cursor: p1.next! });
      assert.ok(p2.items.every((r) => r.id < p1.items[9]!.id));
      assert.equal((await store.runs.list(bob, { flowId: f.flow.id })).items.length, 0);
      assert.equal(
        (await store.runs.list(ada, { flowId: f.flow.id, label: "nope" })).items.length,
        0,
      );
      assert.equal(
        (await store.runs.list(ada, { flowId: f.flow.id, since: 110, until: 115 })).items.length,
        5,
      );
      assert.equal(
        (await store.runs.list(ada, { flowId: f.flow.id, state: "Running,Queued" })).items.length,
        0,
      );
    });

    test("runs: concurrent creates are batched; a duplicate key gives one run; a bad run fails alone", async () => {
      const b = Buffer.from("batch");
      await store.flows.putBundle(createHash("sha256").update(b).digest("hex"), b, 1);
      const f = await store.flows.register(ada, flowReq("batch", b), 1);
      const base = {
        flowId: f.flow.id,
        version: 1,
        user: "ada",
        labels: ["x"],
        scheduledAt: 5,
      };
      const creates = Array.from({ length: 300 }, (_, i) =>
        store.runs.create(
          {
            ...base,
            parameters: { i },
            ...(i % 50 === 0 ? { idempotencyKey: "same-key" } : {}),
            // NOT NULL refuses this one: its batch fails, and each of its runs is retried alone
            ...(i === 123 ? { flowId: null as unknown as number } : {}),
          },
          1000 + i,
        ),
      );
      const settled = await Promise.allSettled(creates);
      const bad = settled[123]!;
      assert.equal(bad.status, "rejected");
      const done = settled.flatMap((r, i) => (r.status === "fulfilled" ? [{ i, ...r.value }] : []));
      assert.equal(done.length, 299);
      for (const d of done) {
        assert.equal(d.run.flow_id, f.flow.id);
        assert.equal(d.run.state, "Scheduled");
        if (d.i % 50 !== 0) {
          // each request gets its own run back, not a neighbour's in the batch
          assert.equal(d.created, true);
          assert.deepEqual(JSON.parse(d.run.parameters), { i: d.i });
          assert.equal(d.run.created_at, 1000 + d.i);
        }
      }
      const keyed = done.filter((d) => d.i % 50 === 0);
      assert.equal(keyed.filter((d) => d.created).length, 1, "one run for the idempotency key");
      assert.equal(new Set(keyed.map((d) => d.run.id)).size, 1);
      assert.equal(new Set(done.map((d) => d.run.id)).size, 300 - 1 - 5);
      const history = await Promise.all(done.map((d) => store.runs.history(d.run.id)));
      assert.ok(history.every((h) => h.length === 1 && h[0]!.state === "Scheduled"));
    });

    test("a state change is a compare-and-set: of concurrent claims exactly one wins", async () => {
      const f = await store.flows.find(ada, "runs");
      const { run } = await store.runs.create(
        { flowId: f.id, version: 1, user: "ada", parameters: {}, labels: [], scheduledAt: 0 },
        1,
      );
      const tries = await Promise.all(
        [1, 2, 3, 4, 5].map((agentId) =>
          store.db.transaction(
            (tx) =>
              store.runs.transition(run.id, allowedFrom.Submitted, "Submitted", { agentId }, 2, tx),
            "claim",
          ),
        ),
      );
      assert.equal(tries.filter(Boolean).length, 1);
      assert.equal(
        await store.runs.transition(run.id, allowedFrom.Scheduled, "Scheduled", {}, 3),
        undefined,
      );
      const h = await store.runs.history(run.id);
      assert.deepEqual(
        h.map((x) => x.state),
        ["Scheduled", "Submitted"],
      );
    });

    test("task states upsert per task and map index; summary and timeline stay small", async () => {
      const f = await store.flows.find(ada, "runs");
      const { run } = await store.runs.create(
        { flowId: f.id, version: 1, user: "ada", parameters: {}, labels: [], scheduledAt: 0 },
        1,
      );
      const n = 5000;
      const running = Array.from({ length: n }, (_, i) => ({
        task: "map",
        mapIndex: i,
        state: "Running",
        at: 1000 + i,
      }));
      await store.tasks.upsert(run.id, running, 1);
      await store.tasks.upsert(
        run.id,
        running.slice(0, 3000).map((u) => ({ ...u, state: "Success", at: 9000 })),
        2,
      );
      await store.tasks.upsert(
        run.id,
        [
          { task: "reduce", state: "Pending" },
          { task: "reduce", state: "Running", worker: "w1", at: 99_999 },
        ],
        3,
      );
      const s = await store.tasks.summary(run.id);
      assert.equal(s.total, n + 1);
      const map = s.tasks.find((t) => t.task === "map")!;
      assert.deepEqual(map.states, { Running: 2000, Success: 3000 });
      assert.deepEqual(s.tasks.find((t) => t.task === "reduce")!.states, { Running: 1 });
      const t = await store.tasks.timeline(run.id, 100);
      assert.equal(t.total, n + 1);
      assert.ok(
        t.items.length <= 100 && t.items.length >= 90,
        `timeline has ${t.items.length} items`,
      );
      assert.equal(t.items[0]!.startedAt, 1000);
      const page = await store.tasks.list(run.id, { task: "reduce" });
      assert.equal(page.items[0]!.worker, "w1");
      assert.equal(page.items[0]!.mapIndex, -1);
    });

    test("logs keep order and continue after a seq", async () => {
      const f = await store.flows.find(ada, "runs");
      const { run } = await store.runs.create(
        { flowId: f.id, version: 1, user: "ada", parameters: {}, labels: [], scheduledAt: 0 },
        1,
      );
      await store.tasks.appendLogs(run.id, [
        { time: 1, level: "INFO", message: "a", task: "t", mapIndex: 2, worker: "w" },
        { time: 2, level: "ERROR", message: "b" },
      ]);
      const p = await store.tasks.logs(run.id, {});
      assert.deepEqual(
        p.items.map((l) => [l.message, l.task, l.mapIndex, l.worker]),
        [
          ["a", "t", 2, "w"],
          ["b", null, null, null],
        ],
      );
      await store.tasks.appendLogs(run.id, [{ time: 3, level: "INFO", message: "c" }]);
      assert.deepEqual(
        (await store.tasks.logs(run.id, { after: p.last })).items.map((l) => l.message),
        ["c"],
      );
    });

    test("scheduled runs are created once per (flow, generation, clock, time)", async () => {
      const f = await store.flows.find(ada, "runs");
      const s = await store.schedules.set(
        f.id,
        { clocks: [{ type: "interval", every: 60 }] },
        true,
        0,
      );
      const rows = [0, 1, 2].map((i) => ({
        flowId: f.id,
        version: 1,
        user: "ada",
        parameters: {},
        labels: [],
        scheduledAt: 60_000 * (i + 1),
        clock: 0,
        scheduleGen: s.generation,
      }));
      const a = await store.db.transaction((tx) => store.runs.createScheduled(tx, rows, 1));
      const b = await store.db.transaction((tx) => store.runs.createScheduled(tx, rows, 2));
      assert.equal(a.length, 3);
      assert.equal(b.length, 0);
      await store.schedules.set(f.id, null, false, 3);
      const left = await store.db.all(
        "SELECT id FROM runs WHERE flow_id = ? AND clock IS NOT NULL",
        [f.id],
      );
      assert.equal(left.length, 0, "pausing drops the runs made ahead");
    });

    test("concurrency limits and agents", async () => {
      await store.agents.setLimit("label", "gpu", 2);
      await store.agents.setLimit("label", "gpu", 3);
      assert.deepEqual(await store.agents.limits(), [{ scope: "label", key: "gpu", lim: 3 }]);
      assert.equal(await store.agents.deleteLimit("label", "gpu"), true);
      assert.equal(await store.agents.deleteLimit("label", "gpu"), false);
      const a = await store.agents.register("ada", { name: "a", labels: ["b", "a", "a"] }, 100);
      assert.equal(a.labels, '["a","b"]');
      assert.deepEqual(
        (await store.agents.silent(150)).map((x) => x.id),
        [a.id],
      );
      assert.equal(await store.agents.markGone(a.id), true);
      assert.equal(await store.agents.markGone(a.id), false);
      assert.equal(await store.agents.seen(a.id, 200), false);
    });
  });
}
