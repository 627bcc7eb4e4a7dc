import { test } from "node:test";
import assert from "node:assert/strict";
import { startGatewayProcess } from "../support/gateway-process.ts";
import { eventually, processesOfCluster } from "../support/processes.ts";
import { flowgateAsync } from "./run-cli.ts";

const env = { FLOWGATE_GATEWAY_USER: "cli-test", FLOWGATE_GATEWAY_TOKEN: "" };

test("cli gateway - clusters options, then a run on an existing cluster by --cluster-name", async () => {
  const gateway = await startGatewayProcess();
  const g = ["--gateway", gateway.address];
  let name = "";
  try {
    const options = await flowgateAsync(["clusters", "options", ...g], env);
    assert.equal(options.code, 0, options.stderr);
    const lines = options.stdout.trimEnd().split("\n");
    assert.match(lines[0]!, /^OPTION\s+TYPE\s+DEFAULT\s+ALLOWED\s+DESCRIPTION$/);
    assert.ok(
      lines.some((l) => /^worker_cores\s+int\s+1\s+1\.\.16\s+Worker cores$/.test(l)),
      options.stdout,
    );
    assert.ok(
      lines.some((l) => /^environment\s+mapping\s+\{\}\s+a JSON object\s/.test(l)),
      options.stdout,
    );

    const created = await flowgateAsync(["clusters", "create", ...g], env);
    assert.equal(created.code, 0, created.stderr);
    name = created.stdout.trim();
    const scaled = await flowgateAsync(["clusters", "scale", name, "1", ...g], env);
    assert.equal(scaled.code, 0, scaled.stderr);

    const run = await flowgateAsync(
      ["run", "examples/times-two.ts", "--param", "x=[1,2,3]", ...g, "--cluster-name", name],
      { ...env, FLOWGATE_LOG_LEVEL: "INFO" },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Result: 12$/m);
    assert.match(
      run.stderr,
      new RegExp(
        `^Connected to cluster ${name}\\. Scheduler address: ws://\\S+/clusters/${name}/scheduler Dashboard: http://\\S+/clusters/${name}/status$`,
        "m",
      ),
    );
    assert.match(run.stderr, /Beginning flow run for 'times-two' on ClusterExecutor\(ws:/);
    // the run leaves the user's cluster running
    const list = await flowgateAsync(["clusters", "list", ...g], env);
    assert.match(list.stdout, new RegExp(`^${name}\\s+RUNNING\\s`, "m"));
  } finally {
    if (name) await flowgateAsync(["clusters", "stop", name, ...g], env);
    await gateway.stop();
  }
  await eventually("the cluster's processes are gone", () => processesOfCluster(name).length === 0);
});
