import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FlowgateServer } from "../../src/server/flowgate-server.ts";
import { ServerClient } from "../../src/server/client/server-client.ts";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.ts";
import { eventually, processesOfCluster } from "../support/processes.ts";
import { auth, cli, fixture, startAgentProcess, tempDir, type AgentProcess } from "./support.ts";

// A gateway that takes only this API token; the flow names the secret GATEWAY_TOKEN for it.
const token = `tok-${randomBytes(16).toString("hex")}`;
const dir = tempDir();
const dbFile = join(dir, "server.db");
let gateway: GatewayProcess;
let server: FlowgateServer;
let client: ServerClient;
let flowId = 0;
const agents: AgentProcess[] = [];
const seen: string[] = [];

async function agentWith(args: string[], env: NodeJS.ProcessEnv = {}): Promise<AgentProcess> {
  const a = await startAgentProcess(server.url, args, {
    FLOWGATE_GATEWAY_ADDRESS: gateway.address,
    ...env,
  });
  agents.push(a);
  return a;
}

async function stopAgent(a: AgentProcess): Promise<void> {
  await a.stop();
  seen.push(a.output());
}

/** `runs create agent-secret --param x=… --wait` */
function runFlow(x: number) {
  return cli([
    "runs",
    "create",
    "agent-secret",
    "--server",
    server.url,
    "--param",
    `x=${x}`,
    "--wait",
  ]);
}

before(async () => {
  const config = join(dir, "gateway.json");
  writeFileSync(
    config,
    JSON.stringify({ auth: { type: "token", tokens: { [token]: { user: "secret-tester" } } } }),
  );
  gateway = await startGatewayProcess(["--config", config]);
  server = await FlowgateServer.start({
    address: "127.0.0.1:0",
    db: `sqlite:${dbFile}`,
    clusterCheckMs: 1000,
    log: () => {},
  });
  client = new ServerClient({ address: server.url, auth });
  const reg = await cli(["register", fixture("secret-flow.ts"), "--server", server.url, "--json"]);
  assert.equal(reg.code, 0, reg.stderr);
  flowId = (JSON.parse(reg.stdout) as { flowId: number }).flowId;
});
after(async () => {
  for (const a of agents) await a.stop().catch(() => {});
  await server?.close();
  await gateway?.stop();
});

test("secrets - registration stores the secret's name, never a credential", async () => {
  const v = await client.getVersion(flowId, 1);
  assert.deepEqual(v.environment?.secrets, { "auth.token": "GATEWAY_TOKEN" });
  assert.equal(v.environment?.type, "gateway");
  assert.doesNotMatch(JSON.stringify(v), /tok-/);
});

test("secrets - an agent without the secret fails the run before any cluster, naming the secret and how to give it", async () => {
  const agent = await agentWith([]);
  const r = await runFlow(1);
  await stopAgent(agent);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const id = Number(/^Run (\d+) /m.exec(r.stdout)![1]);
  const run = await client.getRun(id);
  assert.equal(run.state, "Failed");
  assert.match(
    run.stateReason ?? "",
    /needs secret "GATEWAY_TOKEN" \(for auth\.token\), but this agent has no value for it; start the agent with --secrets-file PATH .* or set FLOWGATE_SECRET_GATEWAY_TOKEN/,
  );
  assert.equal(run.cluster, null, "no cluster was created");
  assert.match(r.stdout, /Failed — .*GATEWAY_TOKEN/);
});

test("secrets - a secrets file other users can read is refused at start with the fix", async () => {
  const file = join(tempDir(), "secrets.env");
  writeFileSync(file, `GATEWAY_TOKEN=${token}\n`);
  chmodSync(file, 0o644);
  const r = await cli(["agent", "--server", server.url, "--secrets-file", file]);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(
    r.stderr.trim(),
    `flowgate: FG_AGENT_SECRETS_FILE: secrets file ${file}: other users may read or change it (mode 0644); make it private with: chmod 600 ${file}`,
  );
  assert.doesNotMatch(r.stdout + r.stderr, new RegExp(token));
});

test("secrets - the agent resolves the name from its secrets file (0600) and the run gets a cluster from the token gateway", async () => {
  const file = join(tempDir(), "secrets.env");
  writeFileSync(file, `# the gateway's API token\nGATEWAY_TOKEN="${token}"\n`, { mode: 0o600 });
  const agent = await agentWith(["--secrets-file", file]);
  const r = await runFlow(10);
  await stopAgent(agent);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^Result: 30$/m);
  assert.match(r.stderr, /Cluster created\. Scheduler address: \S+ Dashboard: \S+/);
  const id = Number(/^Run (\d+) /m.exec(r.stdout)![1]);
  const run = await client.getRun(id);
  assert.equal(run.state, "Success");
  assert.equal(run.cluster?.status, "STOPPED");
  seen.push(r.stdout, r.stderr);
  await eventually(
    "no process of the run's cluster remains",
    () => processesOfCluster(run.cluster!.name).length === 0,
  );
});

test("secrets - FLOWGATE_SECRET_<NAME> in the agent's environment works too; a wrong value fails naming the secret, not the value", async () => {
  const good = await agentWith([], { FLOWGATE_SECRET_GATEWAY_TOKEN: token });
  const ok = await runFlow(2);
  await stopAgent(good);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^Result: 6$/m);
  seen.push(ok.stdout, ok.stderr);

  const wrong = `tok-${randomBytes(16).toString("hex")}`;
  const bad = await agentWith([], { FLOWGATE_SECRET_GATEWAY_TOKEN: wrong });
  const r = await runFlow(3);
  await stopAgent(bad);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const run = await client.getRun(Number(/^Run (\d+) /m.exec(r.stdout)![1]));
  assert.equal(run.state, "Failed");
  assert.match(run.stateReason ?? "", /the token in secret "GATEWAY_TOKEN"/);
  for (const text of [r.stdout, r.stderr, JSON.stringify(run)])
    assert.doesNotMatch(text, new RegExp(wrong.slice(4, 12)));
});

test("secrets - the token is in no output, log line or byte of the server's database", async () => {
  const runs = (await client.listRuns({ limit: 100 })).items;
  assert.ok(runs.length >= 4);
  for (const run of runs) {
    const logs = await client.logs(run.id, { limit: 10000 });
    seen.push(JSON.stringify(run), JSON.stringify(logs.items));
  }
  const secret = token.slice(4);
  for (const text of seen) assert.ok(!text.includes(secret), "the token leaked into output");
  const files = readdirSync(dir).filter((f) => f.startsWith("server.db"));
  for (const f of files)
    assert.ok(!readFileSync(join(dir, f)).includes(secret), `the token is in ${f}`);
});
