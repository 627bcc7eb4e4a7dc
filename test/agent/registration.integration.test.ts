import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Agent } from "../../src/agent/agent.ts";
import { loadFlowFile } from "../../src/cli/load-flow-file.ts";
import { Image } from "../../src/flow/flow-registration.ts";
import {
  auth,
  clientOf,
  fixture,
  startServer,
  tempDir,
  waitForRun,
  type TestServer,
} from "./support.ts";

let server: TestServer;
let agent: Agent;

before(async () => {
  server = await startServer();
  agent = await Agent.start({
    server: server.address,
    auth,
    name: "registration-agent",
    labels: ["img"],
  });
});
after(async () => {
  await agent.stop();
  await server.stop();
});

function flowFile(dir: string, name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `import { Flow, Parameter, task } from "flowgate";\n` +
      `export const step = task(function regStep(x: number) { return ${body}; });\n` +
      `export default new Flow("reg-test", () => step(Parameter("x", { default: 2 })));\n`,
  );
  return file;
}

test("registration - idempotent: the same bundle keeps its version, a changed one makes the next", async () => {
  const dir = tempDir();
  const v1 = await loadFlowFile(flowFile(dir, "a.ts", "x + 1"));
  const first = await v1.register({
    server: server.address,
    auth,
    project: "reg",
    labels: ["img"],
  });
  assert.equal(first.created, true);
  assert.equal(first.version, 1);
  const same = await v1.register({ server: server.address, auth, project: "reg", labels: ["img"] });
  assert.deepEqual(same, { ...first, created: false });
  const v2 = await loadFlowFile(flowFile(dir, "b.ts", "x * 100"));
  const second = await v2.register({
    server: server.address,
    auth,
    project: "reg",
    labels: ["img"],
  });
  assert.deepEqual([second.flowId, second.version, second.created], [first.flowId, 2, true]);
  assert.notEqual(second.hash, first.hash);

  const client = clientOf(server);
  const version = await client.getVersion(first.flowId, 2);
  assert.deepEqual(version.graph.parameters, [{ name: "x", required: false, default: 2 }]);
  assert.deepEqual(
    version.graph.tasks.map((t) => t.name),
    ["x", "regStep"],
  );
  const run = await client.createRun({ flow: "reg/reg-test" });
  const done = await waitForRun(client, run.id, "Success", (r) => r.state === "Success");
  assert.equal(done.result, 200, "the latest version ran, through the in-process agent");
});

test("registration - Image storage: an agent with the file at the path runs it; one without fails the run", async () => {
  const client = clientOf(server);
  const quick = await loadFlowFile(fixture("quick-flow.ts"));
  const here = await quick.register({
    server: server.address,
    auth,
    project: "img",
    labels: ["img"],
    storage: Image("registry.example/flows:1", fixture("quick-flow.ts")),
  });
  const marker = join(tempDir(), "marker.txt");
  writeFileSync(marker, "");
  const ok = await client.createRun({ flow: here.flowId, parameters: { i: 21, marker } });
  assert.equal(
    (await waitForRun(client, ok.id, "Success", (r) => r.state === "Success")).result,
    42,
  );

  const missing = await quick.register({
    server: server.address,
    auth,
    project: "img-missing",
    labels: ["img"],
    storage: Image("registry.example/flows:1", "/nonexistent/flow.ts"),
  });
  const bad = await client.createRun({ flow: missing.flowId, parameters: { i: 1, marker } });
  const failed = await waitForRun(client, bad.id, "Failed", (r) => r.state === "Failed");
  assert.match(failed.stateReason ?? "", /\/nonexistent\/flow\.ts.*registry\.example\/flows:1/);
});

test("registration - a schedule given to flow.register() is attached to the flow", async () => {
  const dir = tempDir();
  const flow = await loadFlowFile(flowFile(dir, "scheduled.ts", "x - 1"));
  const r = await flow.register({
    server: server.address,
    auth,
    project: "sched",
    schedule: {
      clocks: [
        { type: "cron", cron: "30 6 * * *", timezone: "America/New_York", parameters: { x: 7 } },
      ],
      active: false,
    },
  });
  const schedule = await clientOf(server).getSchedule(r.flowId);
  assert.equal(schedule.active, false);
  assert.deepEqual(schedule.clocks, [
    { type: "cron", cron: "30 6 * * *", timezone: "America/New_York", parameters: { x: 7 } },
  ]);
});
