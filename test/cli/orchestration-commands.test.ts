import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cli, clientOf, startServer, type TestServer } from "../agent/support.ts";

const timesTwo = new URL("../../examples/times-two.ts", import.meta.url).pathname;
let server: TestServer;

before(async () => {
  server = await startServer();
  const r = await cli(["register", timesTwo, "--server", server.address, "--project", "cli"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Flow 'times-two' registered as version 1 \(id \d+, [0-9a-f]{12}\)$/m);
});
after(async () => {
  await server.stop();
});

test("cli - schedules set, pause, resume and show a flow's clocks", async () => {
  const set = await cli([
    "schedules",
    "set",
    "cli/times-two",
    "--server",
    server.address,
    "--interval",
    "3600",
    "--cron",
    "0 9 * * 1-5",
    "--timezone",
    "Europe/Berlin",
    "--param",
    "x=[1,2]",
  ]);
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /active; every 3600 s, cron '0 9 \* \* 1-5' \(Europe\/Berlin\); next: /);
  const paused = await cli(["schedules", "pause", "cli/times-two", "--server", server.address]);
  assert.match(paused.stdout, /: paused;/);
  const resumed = await cli(["schedules", "resume", "times-two", "--server", server.address]);
  assert.match(resumed.stdout, /: active;/);
  const none = await cli(["schedules", "set", "times-two", "--server", server.address]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /at least one clock/);
});

test("cli - runs create --start-at leaves a run Scheduled; runs cancel ends it; runs list shows it", async () => {
  const at = new Date(Date.now() + 3_600_000).toISOString();
  const created = await cli([
    "runs",
    "create",
    "cli/times-two",
    "--server",
    server.address,
    "--start-at",
    at,
  ]);
  assert.equal(created.code, 0, created.stderr);
  const id = Number(/^Run (\d+) of 'times-two' v1: Scheduled$/m.exec(created.stdout)?.[1]);
  assert.ok(id > 0, created.stdout);
  const cancelled = await cli(["runs", "cancel", String(id), "--server", server.address]);
  assert.equal(cancelled.code, 0, cancelled.stderr);
  assert.match(cancelled.stdout, new RegExp(`^Run ${id}: Cancelled$`, "m"));
  const list = await cli([
    "runs",
    "list",
    "--server",
    server.address,
    "--state",
    "Cancelled",
    "--json",
  ]);
  assert.deepEqual(
    (JSON.parse(list.stdout) as { id: number }[]).map((r) => r.id),
    [id],
  );
  const table = await cli(["runs", "list", "--server", server.address]);
  assert.match(table.stdout, new RegExp(`^${id}\\s+cli/times-two\\s+v1\\s+Cancelled`, "m"));
  assert.equal((await clientOf(server).getRun(id)).state, "Cancelled");
  const bad = await cli(["runs", "cancel", "abc", "--server", server.address]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /run id "abc" is not a number/);
  const bogus = await cli(["runs", "list", "--server", server.address, "--state", "Bogus"]);
  assert.equal(bogus.code, 2, bogus.stderr);
  assert.equal(bogus.stdout, "");
  assert.equal(bogus.stderr.trim().split("\n").length, 1, bogus.stderr);
  assert.match(
    bogus.stderr,
    /^flowgate: FG_SERVER_REQUEST: .*state "Bogus" is not one of Scheduled, .*Crashed/,
  );
  const noServer = await cli(["runs", "list"], { FLOWGATE_SERVER_ADDRESS: "" });
  assert.equal(noServer.code, 2);
  assert.match(noServer.stderr, /no server given/);
});
