import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { LocalCluster } from "../../src/cluster/index.ts";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.ts";
import { eventually } from "../support/processes.ts";
import { runNode, type NodeRun } from "../support/run-node.ts";

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const register = new URL("../../bin/register.js", import.meta.url).pathname;
const bin = new URL("../../bin/flowgate.js", import.meta.url).pathname;
const script = (name: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  runNode(["--import", register, fixture(name), ...args], env);

/** The `label <json>` lines a fixture printed. */
function printed(run: NodeRun): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of run.stdout.split("\n")) {
    const i = line.indexOf(" ");
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The script exited by itself, with code 0, and its cluster's processes are gone. */
async function assertEndedCleanly(run: NodeRun): Promise<Map<string, string>> {
  assert.equal(run.signal, null, `the script did not exit by itself:\n${run.stdout}${run.stderr}`);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const lines = printed(run);
  const pids = JSON.parse(lines.get("pids") ?? "[]") as number[];
  await eventually("the script's cluster processes are gone", () => !pids.some(alive));
  return lines;
}

function assertNoTypeScriptFrame(stack: string, where: RegExp): void {
  assert.match(stack, where, stack);
  assert.doesNotMatch(stack, /\.ts:\d+/, "no frame of a TypeScript source");
}

describe("user scripts on a LocalCluster", () => {
  let lines: Map<string, string>;
  before(async () => {
    lines = await assertEndedCleanly(await script("cluster-script.ts", ["--hidden"]));
  });

  test("a script that starts a LocalCluster and builds flows inside functions runs them, and exits", () => {
    assert.equal(lines.get("a"), "4");
    assert.equal(lines.get("b"), "18");
    assertNoTypeScriptFrame(
      JSON.parse(lines.get("where")!) as string,
      /at TaskRunner\.runOne \(file:[^)]*\.js:\d+/,
    );
  });

  test("a task defined where loading the file on a worker never reaches fails naming the task, the file and the rule", () => {
    const error = JSON.parse(lines.get("hidden")!.replace(/^error /, "")) as {
      code: string;
      message: string;
    };
    assert.equal(error.code, "FG_EXECUTOR_TASK_NOT_DEFINED");
    assert.match(error.message, /task 'hiddenTask' of flow 'script-hidden'/);
    assert.match(error.message, /cluster-script\.ts/);
    assert.match(error.message, /define tasks at module top level or in a flow's builder/);
  });

  test("await using closes the ClusterExecutor and the LocalCluster: the script exits", async () => {
    const lines = await assertEndedCleanly(await script("using-script.ts"));
    assert.equal(lines.get("result"), "42");
  });
});

// The scripts and `flowgate run --address` are other processes of this user: they reach the
// LocalCluster's unix:// address (no certificate); the TLS case is the test after them.
describe("executors close", () => {
  let cluster: LocalCluster;
  before(async () => {
    cluster = await LocalCluster({ workers: 1 });
    assert.match(cluster.address, /^unix:\/\/\//);
  });
  after(async () => {
    await cluster.close();
  });

  test("a script using RemoteEnvironment exits once it has its result", async () => {
    const run = await script("remote-script.ts", [], { FIXTURE_ADDRESS: cluster.address });
    const lines = await assertEndedCleanly(run);
    assert.equal(lines.get("result"), "16");
  });

  test("a script using RemoteEnvironment with mutual TLS exits once it has its result", async () => {
    await using tlsCluster = await LocalCluster({ workers: 1, transport: "tls" });
    const run = await script("remote-script.ts", [], {
      FIXTURE_ADDRESS: tlsCluster.address,
      FIXTURE_CERT: tlsCluster.security!.tlsCert,
      FIXTURE_KEY: tlsCluster.security!.tlsKey,
    });
    const lines = await assertEndedCleanly(run);
    assert.equal(lines.get("result"), "16");
  });

  test("flowgate run --address unix://… exits with the result, and its task threads run no TypeScript source", async () => {
    const run = await runNode([
      bin,
      "run",
      fixture("double-flow.ts"),
      "--address",
      cluster.address,
      "-q",
    ]);
    await assertEndedCleanly(run);
    assert.match(run.stdout, /Result: 12/);
    const where = await runNode([
      bin,
      "run",
      fixture("where-flow.ts"),
      "--address",
      cluster.address,
      "-q",
    ]);
    await assertEndedCleanly(where);
    assertNoTypeScriptFrame(where.stdout, /at TaskRunner\.runOne \(file:[^)]*\.js:\d+/);
  });

  test("flowgate run --cluster local:1: the CLI's own cluster runs compiled JavaScript", async () => {
    const run = await runNode([bin, "run", fixture("where-flow.ts"), "--cluster", "local:1", "-q"]);
    await assertEndedCleanly(run);
    assertNoTypeScriptFrame(run.stdout, /at TaskRunner\.runOne \(file:[^)]*\.js:\d+/);
  });
});

describe("user scripts through a gateway", () => {
  let gateway: GatewayProcess;
  before(async () => {
    gateway = await startGatewayProcess();
  });
  after(async () => {
    await gateway.stop();
  });

  test("a script with a top-level GatewayEnvironment and flows built inside functions runs them, and exits", async () => {
    const run = await script("gateway-script.ts", [], { FIXTURE_GATEWAY: gateway.address });
    const lines = await assertEndedCleanly(run);
    assert.equal(lines.get("a"), "4", run.stdout + run.stderr);
    assertNoTypeScriptFrame(
      JSON.parse(lines.get("where")!) as string,
      /at TaskRunner\.runOne \(file:[^)]*\.js:\d+/,
    );
  });

  test("a flow constructed after an awaited gateway call (which never returns on workers) fails naming the rule", async () => {
    const run = await script("gateway-stall-script.ts", [], { FIXTURE_GATEWAY: gateway.address });
    const lines = await assertEndedCleanly(run);
    assert.equal(lines.get("clusters"), "0");
    const error = JSON.parse(lines.get("late")!.replace(/^error /, "")) as {
      code: string;
      message: string;
    };
    assert.equal(error.code, "FG_EXECUTOR_TASK_NOT_DEFINED", run.stdout + run.stderr);
    assert.match(error.message, /task 'double' of flow 'gw-late'/);
    assert.match(error.message, /gateway-stall-script\.ts/);
    assert.match(error.message, /does nothing on workers/);
  });
});
