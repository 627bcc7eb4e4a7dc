import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cli, tempDir } from "../agent/support.ts";
import { processesOfCluster } from "../support/processes.ts";

test("flowgate up --demo (npm start): both examples run through the agent, each on its own gateway cluster", async () => {
  const db = `sqlite:${join(tempDir(), "up.db")}`;
  const r = await cli(["up", "--demo", "--db", db]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^flowgate up ready \{.*"gateway":"http:\/\/127\.0\.0\.1:\d+".*\}$/m);
  assert.equal(r.stdout.match(/^Result: 90$/gm)?.length, 2, r.stdout);
  // Each run's final line is printed once (stdout), not also by the log follower (stderr).
  const output = r.stdout + r.stderr;
  for (const [id, flow] of [
    [1, "times-two"],
    [2, "inc-dec-add"],
  ] as const) {
    const finals = output.match(new RegExp(`^Run ${id} \\(${flow}\\): Success.*$`, "gm")) ?? [];
    assert.equal(finals.length, 1, `run ${id}'s final line: ${finals.join(" | ")}`);
    assert.match(r.stdout, new RegExp(`^Run ${id} \\(${flow}\\): Success — `, "m"));
  }
  assert.equal(output.match(/^Result: /gm)?.length, 2, output);
  const created =
    r.stderr.match(/Cluster created\. Scheduler address: (\S+) Dashboard: \S+/g) ?? [];
  assert.equal(created.length, 2, r.stderr);
  assert.notEqual(created[0], created[1], "each run has its own cluster");
  // The clusters are named in their dashboard links; other tests may run clusters meanwhile.
  const names = created.map((line) => /\/clusters\/([^/\s]+)\/status/.exec(line)?.[1]);
  assert.ok(names.every(Boolean), `dashboard links name their clusters: ${created.join("; ")}`);
  const left = names.flatMap((name) => processesOfCluster(name!));
  assert.deepEqual(left, [], "up stops every cluster process it started");
});
