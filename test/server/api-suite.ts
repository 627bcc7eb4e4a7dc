import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhook } from "../../src/server/index.ts";
import type { RunEvent } from "../../src/server/api/index.ts";
import {
  registerTestFlow,
  startTestServer,
  testDatabase,
  type DbKind,
} from "./support/test-server.ts";

/** The server's REST behaviour, run against each database. */
export function apiSuite(kind: DbKind, skip: string | false): void {
  describe(`server API - ${kind}`, { skip }, () => {
    let t: Awaited<ReturnType<typeof startTestServer>>;
    let drop: () => Promise<void>;
    before(async () => {
      const db = await testDatabase(kind);
      drop = db.drop;
      t = await startTestServer(db.url, {
        agentTimeoutMs: 2500,
        webhooks: { backoffMs: 50, maxAttempts: 4 },
      });
    });
    after(async () => {
      await t?.close();
      await drop?.();
    });

    test("100 runs, 3 concurrent claiming agents: each run claimed exactly once", async () => {
      const c = t.client("ada");
      const flow = await registerTestFlow(c, "claims", { labels: ["pool"] });
      const created = await Promise.all(Array.from({ length: 100 }, () => c.createRun({ flow })));
      const agents = await Promise.all(
        ["a1", "a2", "a3"].map((name) => c.registerAgent({ name, labels: ["pool", name] })),
      );
      const claimed = new Map<number, number[]>();
      await Promise.all(
        agents.map(async ({ agent }) => {
          for (;;) {
            const r = await c.claim(agent.id, { max: 3, waitMs: 0 });
            if (r.runs.length === 0) return;
            for (const x of r.runs)
              claimed.set(x.run.id, [...(claimed.get(x.run.id) ?? []), agent.id]);
          }
        }),
      );
      assert.equal(claimed.size, 100);
      for (const run of created)
        assert.deepEqual(
          claimed.get(run.id)?.length,
          1,
          `run ${run.id} claimed ${claimed.get(run.id)?.length} times`,
        );
      const states = await c.listRuns({ flow: String(flow), limit: 1000 });
      assert.ok(states.items.every((r) => r.state === "Submitted" && r.agentId !== null));
    });

    test("a waiting agent is told of a new run at once (long poll), and labels must be covered", async () => {
      const c = t.client("ada");
      const flow = await registerTestFlow(c, "longpoll", { labels: ["gpu"] });
      const { agent: cpu } = await c.registerAgent({ name: "cpu", labels: [] });
      const { agent: gpu } = await c.registerAgent({ name: "gpu", labels: ["gpu"] });
      const waiting = c.claim(gpu.id, { waitMs: 20_000 });
      const run = await c.createRun({ flow });
      const got = await waiting;
      assert.deepEqual(
        got.runs.map((r) => r.run.id),
        [run.id],
      );
      assert.equal(got.runs[0]!.flow.storage.type, "bundle");
      const none = await c.claim(cpu.id, { waitMs: 0 });
      assert.equal(none.runs.length, 0);
    });

    test("a run no live agent can take carries a warning naming the labels", async () => {
      const c = t.client("wanda");
      const flow = await registerTestFlow(c, "stranded", { labels: ["tpu", "eu"] });
      const run = await c.createRun({ flow });
      assert.match(run.warning ?? "", /labels \[eu, tpu\]/);
      const { agent } = await c.registerAgent({ name: "tpu-agent", labels: ["eu", "tpu"] });
      assert.equal((await c.getRun(run.id)).warning, null);
      await c.deregisterAgent(agent.id);
    });

    test("concurrency limit per flow: runs wait as Queued with the reason", async () => {
      const c = t.client("ada");
      const admin = t.client("admin");
      const flow = await registerTestFlow(c, "limited");
      await assert.rejects(c.setLimit("flow", String(flow), 1), { status: 403 });
      await admin.setLimit("flow", String(flow), 1);
      const { agent } = await c.registerAgent({ name: "lim", labels: [] });
      const r1 = await c.createRun({ flow });
      const r2 = await c.createRun({ flow });
      const first = await c.claim(agent.id, { max: 5, waitMs: 0 });
      assert.deepEqual(
        first.runs.map((r) => r.run.id),
        [r1.id],
      );
      const queued = await c.getRun(r2.id);
      assert.equal(queued.state, "Queued");
      assert.match(queued.stateReason ?? "", /concurrency limit of flow limited .*1 of 1/);
      await c.setRunState(r1.id, { state: "Running", agentId: agent.id });
      await c.setRunState(r1.id, { state: "Success", agentId: agent.id, result: 90 });
      const second = await c.claim(agent.id, { max: 5, waitMs: 5000 });
      assert.deepEqual(
        second.runs.map((r) => r.run.id),
        [r2.id],
      );
      assert.equal((await c.getRun(r1.id)).result, 90);
      assert.deepEqual(
        (await admin.listLimits()).items.find((l) => l.key === String(flow))?.active,
        1,
      );
      await admin.deleteLimit("flow", String(flow));
    });

    test("cancel: Scheduled → Cancelled; Running → Cancelling, told to the agent, → Cancelled", async () => {
      const c = t.client("ada");
      const flow = await registerTestFlow(c, "cancels");
      const later = await c.createRun({
        flow,
        startAt: new Date(Date.now() + 3600_000).toISOString(),
      });
      assert.equal((await c.cancelRun(later.id)).state, "Cancelled");
      await assert.rejects(c.cancelRun(later.id), { status: 409 });
      const { agent } = await c.registerAgent({ name: "canceller", labels: [] });
      const run = await c.createRun({ flow });
      await c.claim(agent.id, { waitMs: 0 });
      await c.setRunState(run.id, { state: "Running" });
      const poll = c.claim(agent.id, { waitMs: 20_000 });
      assert.equal((await c.cancelRun(run.id)).state, "Cancelling");
      assert.deepEqual((await poll).cancel, [run.id]);
      assert.deepEqual((await c.heartbeat(agent.id)).cancel, [run.id]);
      await c.setRunState(run.id, { state: "Cancelled", reason: "stopped by the agent" });
      const h = (await c.runStates(run.id)).items.map((s) => s.state);
      assert.deepEqual(h, ["Scheduled", "Submitted", "Running", "Cancelling", "Cancelled"]);
      await assert.rejects(c.setRunState(run.id, { state: "Running" }), { status: 409 });
    });

    test("an agent silent past the timeout: its runs become Crashed with the reason", async () => {
      const c = t.client("ada");
      const flow = await registerTestFlow(c, "zombies");
      const { agent } = await c.registerAgent({ name: "doomed", labels: [] });
      const run = await c.createRun({ flow });
      await c.claim(agent.id, { waitMs: 0 });
      await c.setRunState(run.id, { state: "Running" });
      const events: RunEvent[] = [];
      for await (const e of c.runEvents(run.id)) events.push(e);
      const last = await c.getRun(run.id);
      assert.equal(last.state, "Crashed");
      assert.match(
        last.stateReason ?? "",
        /agent doomed \(id \d+\) sent no heartbeat for [\d.]+ s \(timeout 2.5 s\)/,
      );
      assert.equal(events.at(-1)!.type, "end");
      assert.ok(events.some((e) => e.type === "run" && e.run.state === "Crashed"));
      await assert.rejects(c.heartbeat(agent.id), { status: 409 });
    });

    test("a run that ends leaves no task run Pending or Running: they end Cancelled with the reason", async () => {
      const c = t.client("ada");
      const flow = await registerTestFlow(c, "half-done");
      const { agent } = await c.registerAgent({ name: "half", labels: [] });
      const run = await c.createRun({ flow });
      await c.claim(agent.id, { waitMs: 0 });
      await c.setRunState(run.id, { state: "Running" });
      await c.reportTaskStates(run.id, [
        { task: "load", state: "Success" },
        { task: "square", mapIndex: 0, state: "Success" },
        { task: "square", mapIndex: 1, state: "Running", worker: "w1" },
        { task: "total", state: "Pending" },
      ]);
      await c.setRunState(run.id, { state: "Failed", reason: "the flow's bundle failed to load" });
      const tasks = (await c.listTasks(run.id, {})).items;
      const byKey = new Map(tasks.map((x) => [`${x.task}[${x.mapIndex}]`, x]));
      assert.equal(byKey.get("load[-1]")!.state, "Success");
      assert.equal(byKey.get("square[0]")!.state, "Success");
      for (const key of ["square[1]", "total[-1]"]) {
        assert.equal(byKey.get(key)!.state, "Cancelled", key);
        assert.equal(
          byKey.get(key)!.message,
          "the flow run ended Failed before this task run finished",
        );
        assert.ok(byKey.get(key)!.endedAt, key);
      }
      assert.equal(byKey.get("square[1]")!.worker, "w1");
      await c.deregisterAgent(agent.id);
    });

    test("an agent waiting in a long poll longer than the timeout stays alive", async () => {
      const c = t.client("ada");
      const flow = await registerTestFlow(c, "patient");
      const { agent } = await c.registerAgent({ name: "patient", labels: [] });
      const run = await c.createRun({ flow });
      await c.claim(agent.id, { waitMs: 0 });
      await c.setRunState(run.id, { state: "Running" });
      const got = await c.claim(agent.id, { waitMs: 4000 }); // the timeout is 2.5 s
      assert.deepEqual(got.runs, []);
      assert.equal((await c.getRun(run.id)).state, "Running");
      await c.setRunState(run.id, { state: "Success" });
      await c.deregisterAgent(agent.id);
    });

    test("a cluster reported FAILED crashes the run with the gateway's reason", async () => {
      const c = t.client("ada");
      const flow = await registerTestFlow(c, "failing-cluster");
      const { agent } = await c.registerAgent({ name: "cl", labels: [] });
      const run = await c.createRun({ flow });
      await c.claim(agent.id, { waitMs: 0 });
      await c.setRunState(run.id, { state: "Running" });
      await c.setCluster(run.id, {
        name: "c1",
        status: "RUNNING",
        dashboardLink: "http://gw/clusters/c1/status",
      });
      const after = await c.setCluster(run.id, {
        name: "c1",
        status: "FAILED",
        stopReason: "scheduler exited with code 1",
      });
      assert.equal(after.state, "Crashed");
      assert.match(after.stateReason ?? "", /cluster c1 FAILED: scheduler exited with code 1/);
      await c.setCost(run.id, { workerSeconds: 4.5, taskSeconds: 2 });
      assert.deepEqual((await c.getRun(run.id)).cost, { workerSeconds: 4.5, taskSeconds: 2 });
      await c.deregisterAgent(agent.id);
    });

    test("webhooks: filtered by flow and state, HMAC-signed, retried with backoff", async () => {
      const c = t.client("ada");
      const flow = await registerTestFlow(c, "hooked");
      const got: { body: string; sig: string | undefined }[] = [];
      let fails = 2;
      const sink: Server = createServer((req, res) => {
        let body = "";
        req.on("data", (d: Buffer) => (body += d));
        req.on("end", () => {
          if (fails-- > 0) return res.writeHead(500).end();
          got.push({ body, sig: req.headers["x-flowgate-signature"] as string | undefined });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
      try {
        const url = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;
        const hook = await c.createWebhook({
          url,
          secret: "s3cret-value",
          flows: [flow],
          states: ["Cancelled"],
        });
        const other = await registerTestFlow(c, "unhooked");
        await c.cancelRun((await c.createRun({ flow: other })).id);
        const run = await c.createRun({ flow });
        await c.cancelRun(run.id);
        for (let i = 0; i < 100 && got.length === 0; i++)
          await new Promise((r) => setTimeout(r, 50));
        assert.equal(got.length, 1);
        const payload = JSON.parse(got[0]!.body) as {
          runId: number;
          state: string;
          previous: string;
        };
        assert.deepEqual(
          [payload.runId, payload.state, payload.previous],
          [run.id, "Cancelled", "Scheduled"],
        );
        assert.ok(verifyWebhook("s3cret-value", got[0]!.body, got[0]!.sig));
        const d = (await c.webhookDeliveries(hook.id)).items;
        assert.deepEqual(
          d.map((x) => [x.status, x.attempts]),
          [["delivered", 3]],
        );
        await c.deleteWebhook(hook.id);
      } finally {
        await new Promise((r) => sink.close(r));
      }
    });

    test("webhooks: an admin's allUsers webhook sees every user's runs; others may not ask", async () => {
      const ada = t.client("ada");
      const admin = t.client("admin");
      await assert.rejects(
        ada.createWebhook({ url: "http://127.0.0.1:9/x", secret: "s3cret-value", allUsers: true }),
        { status: 403 },
      );
      const got: string[] = [];
      const sink: Server = createServer((req, res) => {
        let body = "";
        req.on("data", (d: Buffer) => (body += d));
        req.on("end", () => (got.push(body), res.writeHead(204).end()));
      });
      await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
      try {
        const url = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/all`;
        const flow = await registerTestFlow(ada, "everyone");
        const states = ["Cancelled" as const];
        const mine = await admin.createWebhook({
          url,
          secret: "s3cret-value",
          flows: [flow],
          states,
        });
        const all = await admin.createWebhook({
          url,
          secret: "s3cret-value",
          flows: [flow],
          states,
          allUsers: true,
        });
        assert.deepEqual([mine.allUsers, all.allUsers], [false, true]);
        const run = await ada.createRun({ flow });
        await ada.cancelRun(run.id);
        let d = (await admin.webhookDeliveries(all.id)).items;
        for (let i = 0; i < 100 && d[0]?.status !== "delivered"; i++) {
          await new Promise((r) => setTimeout(r, 50));
          d = (await admin.webhookDeliveries(all.id)).items;
        }
        assert.equal(got.length, 1);
        assert.deepEqual((await admin.webhookDeliveries(mine.id)).items, []);
        assert.deepEqual(
          d.map((x) => [x.runId, x.status]),
          [[run.id, "delivered"]],
        );
        await admin.deleteWebhook(mine.id);
        await admin.deleteWebhook(all.id);
      } finally {
        await new Promise((r) => sink.close(r));
      }
    });

    test("the all-runs event stream sends run events of your own runs", async () => {
      const ada = t.client("ada");
      const flow = await registerTestFlow(ada, "streamed");
      const abort = new AbortController();
      const seen: number[] = [];
      const reading = (async () => {
        for await (const e of ada.allEvents({ flow: String(flow) }, abort.signal)) {
          if (e.type === "run") seen.push(e.run.id);
          if (seen.length >= 1) abort.abort();
        }
      })();
      await new Promise((r) => setTimeout(r, 300)); // the stream is open
      await registerTestFlow(t.client("bob"), "not-ada").then((f) =>
        t.client("bob").createRun({ flow: f }),
      );
      const run = await ada.createRun({ flow });
      await reading;
      assert.deepEqual(seen, [run.id]);
    });

    test("users see their own runs; admins see all", async () => {
      const ada = t.client("ada");
      const bob = t.client("bob");
      const flow = await registerTestFlow(ada, "private");
      const run = await ada.createRun({ flow });
      await assert.rejects(bob.getRun(run.id), { status: 403 });
      await assert.rejects(bob.createRun({ flow }), { status: 404 });
      assert.ok((await bob.listRuns()).items.every((r) => r.user === "bob"));
      assert.equal((await t.client("admin").getRun(run.id)).id, run.id);
    });

    test("another user's bundle (its code) is neither downloadable nor probeable by its hash", async () => {
      const ada = t.client("ada");
      const flow = await registerTestFlow(ada, "secret-code");
      const { hash } = (await ada.listVersions(flow)).items[0]!;
      assert.ok((await ada.getBundle(hash)).length > 0);
      assert.equal(await ada.hasBundle(hash), true);
      await assert.rejects(t.client("bob").getBundle(hash), { status: 404 });
      assert.equal(await t.client("bob").hasBundle(hash), false);
      assert.ok((await t.client("admin").getBundle(hash)).length > 0);
    });
  });
}
