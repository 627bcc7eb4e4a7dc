import { test } from "node:test";
import assert from "node:assert/strict";
import { skipPostgres } from "./support/postgres.ts";
import { registerTestFlow, startTestServer, testDatabase } from "./support/test-server.ts";

test("schedules - clocks create runs ahead once each, with their own parameters and labels; pause drops them", async () => {
  const db = await testDatabase("sqlite");
  const t = await startTestServer(db.url, { scheduleAhead: 3, schedulePeriodMs: 100 });
  try {
    const c = t.client("ada");
    const flow = await registerTestFlow(c, "scheduled", {
      labels: ["base"],
      parameters: [{ name: "n", required: false, default: 1 }],
    });
    const start = Date.now() + 3600_000;
    const s = await c.setSchedule(flow, {
      clocks: [
        { type: "interval", every: 600, start, parameters: { n: 5 } },
        { type: "cron", cron: "0 9 * * *", timezone: "Europe/Berlin", labels: ["eu"] },
      ],
    });
    assert.equal(s.upcoming.length, 3);
    await new Promise((r) => setTimeout(r, 500)); // several ticks of the schedule loop
    const runs = (await c.listRuns({ flow: String(flow), limit: 100 })).items;
    assert.equal(runs.length, 6, "3 per clock, created once however many ticks ran");
    const interval = runs
      .filter((r) => r.clock === 0)
      .map((r) => r.scheduledAt)
      .sort();
    assert.deepEqual(interval, [start, start + 600_000, start + 1_200_000]);
    assert.ok(
      runs
        .filter((r) => r.clock === 0)
        .every((r) => r.parameters["n"] === 5 && r.labels.join() === "base"),
    );
    assert.ok(runs.filter((r) => r.clock === 1).every((r) => r.labels.join() === "eu"));
    const paused = await c.pauseSchedule(flow);
    assert.equal(paused.active, false);
    assert.equal((await c.listRuns({ flow: String(flow) })).items.length, 0);
    await c.resumeSchedule(flow);
    assert.equal((await c.listRuns({ flow: String(flow) })).items.length, 6);
  } finally {
    await t.close();
    await db.drop();
  }
});

test("schedules - catch-up policy: of a clock's late runs only the latest runs, the others are Cancelled", async () => {
  const db = await testDatabase("sqlite");
  // the loop ticks only when told to, at the times the test gives
  const t = await startTestServer(db.url, { scheduleAhead: 2, schedulePeriodMs: 3600_000 });
  try {
    const c = t.client("ada");
    const flow = await registerTestFlow(c, "late");
    const t0 = Date.now() + 60_000;
    await c.setSchedule(flow, { clocks: [{ type: "interval", every: 1, start: t0 }] });
    await t.server.context.schedules.tick(t0);
    // the server was "down" for 5 s: both runs made ahead are late now
    await t.server.context.schedules.tick(t0 + 5000);
    const runs = (await c.listRuns({ flow: String(flow), limit: 100 })).items;
    const late = runs.filter((r) => r.scheduledAt <= t0 + 5000);
    const latest = Math.max(...late.map((r) => r.scheduledAt));
    assert.ok(late.length >= 2);
    for (const r of late)
      assert.equal(r.state, r.scheduledAt === latest ? "Scheduled" : "Cancelled");
    assert.match(late.find((r) => r.state === "Cancelled")!.stateReason ?? "", /catch-up policy/);
    const next = runs.filter((r) => r.scheduledAt > t0 + 5000).map((r) => r.scheduledAt - t0);
    assert.deepEqual(
      next.sort(),
      [6000, 7000],
      "missed start times 3 s–5 s are skipped, not back-filled",
    );
  } finally {
    await t.close();
    await db.drop();
  }
});

test(
  "schedules - two server processes on one PostgreSQL create each upcoming run exactly once",
  { skip: skipPostgres },
  async () => {
    const db = await testDatabase("postgres");
    const a = await startTestServer(db.url, { scheduleAhead: 20, schedulePeriodMs: 20 });
    const b = await startTestServer(db.url, { scheduleAhead: 20, schedulePeriodMs: 20 });
    try {
      const flow = await registerTestFlow(a.client("ada"), "shared");
      const start = Date.now() + 3600_000;
      await b.client("ada").setSchedule(flow, {
        clocks: [
          { type: "interval", every: 60, start },
          { type: "cron", cron: "*/5 * * * *", timezone: "America/New_York" },
        ],
      });
      await new Promise((r) => setTimeout(r, 1500));
      const runs = (await a.client("ada").listRuns({ flow: String(flow), limit: 1000 })).items;
      assert.equal(runs.length, 40);
      const keys = runs.map((r) => `${r.clock}@${r.scheduledAt}`);
      assert.equal(new Set(keys).size, 40, "no start time twice");
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  },
);
