import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { FakeGateway } from "./fake-gateway.ts";

const bin = new URL("../../../bin/flowgate.js", import.meta.url).pathname;

/** Runs `flowgate clusters …` (async: the fake gateway lives in this process). */
function clusters(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, "clusters", ...args], {
    env: {
      ...process.env,
      FLOWGATE_GATEWAY_ADDRESS: "",
      FLOWGATE_GATEWAY_USER: "ada",
      FLOWGATE_GATEWAY_TOKEN: "",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

test("cli clusters - create, list, scale, adapt, logs, stop against a gateway", async () => {
  const fake = await new FakeGateway({ password: "pw" }).start();
  try {
    const g = ["--gateway", fake.address, "--password", "pw"];
    const created = await clusters([
      "create",
      ...g,
      "--option",
      "worker_cores=2",
      "--option",
      "image=img:1",
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, "c1\n");
    assert.match(
      created.stderr,
      /^Cluster created\. Scheduler address: ws:\/\/127\.0\.0\.1:\d+\/clusters\/c1\/scheduler Dashboard: http:\/\/.*\/clusters\/c1\/status$/m,
    );
    assert.deepEqual(fake.clusters.get("c1")!.options, { worker_cores: 2, image: "img:1" });
    assert.equal(
      fake.clusters.get("c1")!.lease_ttl,
      null,
      "the CLI's cluster outlives the command",
    );

    const scaled = await clusters(["scale", "c1", "3", ...g]);
    assert.equal(scaled.code, 0, scaled.stderr);
    const list = await clusters(["list", ...g], { FLOWGATE_GATEWAY_ADDRESS: fake.address });
    assert.equal(list.code, 0, list.stderr);
    const [header, row] = list.stdout.trimEnd().split("\n");
    assert.match(header!, /^NAME\s+STATUS\s+WORKERS\s+AGE\s+DASHBOARD$/);
    assert.match(
      row!,
      /^c1\s+RUNNING\s+3\/3\s+\d+s\s+http:\/\/127\.0\.0\.1:\d+\/clusters\/c1\/status$/,
    );

    const adapt = await clusters(["adapt", "c1", "--min", "1", "--max", "4", ...g]);
    assert.equal(adapt.code, 0, adapt.stderr);
    assert.deepEqual(fake.requests.find((r) => r.path.endsWith("/adapt"))!.body, {
      minimum: 1,
      maximum: 4,
      active: true,
    });
    const logs = await clusters(["logs", "c1", ...g]);
    assert.equal(logs.stdout, "scheduler starting…\nline 2\n");
    const stop = await clusters(["stop", "c1", ...g]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(fake.clusters.get("c1")!.status, "STOPPED");
    const empty = await clusters(["list", ...g]);
    assert.equal(empty.stdout, "");
    assert.equal(empty.stderr, "No clusters.\n");
    const all = await clusters(["list", "--status", "all", "--json", ...g]);
    assert.equal(all.code, 0, all.stderr);
    const parsed = JSON.parse(all.stdout) as { name: string; status: string; security?: unknown }[];
    assert.deepEqual(
      parsed.map((c) => [c.name, c.status, "security" in c]),
      [["c1", "STOPPED", false]],
    );
  } finally {
    await fake.stop();
  }
});

test("cli clusters - bad input is one line and exit code 2; an unreachable gateway exits 1", async () => {
  const fake = await new FakeGateway({ password: "pw" }).start();
  try {
    const cases: [string[], RegExp][] = [
      [["list"], /^flowgate: FG_CLI_USAGE: no gateway address: pass --gateway/],
      [["scale", "c1", "-1", "--gateway", fake.address], /N "-1" is not a whole number/],
      [["scale", "c1", "two", "--gateway", fake.address], /N "two" is not a whole number/],
      [
        ["adapt", "c1", "--min", "3", "--max", "1", "--gateway", fake.address],
        /--min 3 is greater than --max 1/,
      ],
      [
        ["create", "--option", "novalue", "--gateway", fake.address],
        /--option "novalue" is not key=value/,
      ],
      [["list", "--status", "GONE", "--gateway", fake.address], /"GONE" is not a status/],
      [["list", "--gateway", "ftp://x"], /gateway address "ftp:\/\/x" is not an http\(s\) address/],
      [
        ["list", "--token", "t", "--user", "u", "--gateway", fake.address],
        /--token and --user\/--password/,
      ],
      [
        ["list", "--gateway", fake.address, "--password", "wrong"],
        /did not accept the credentials of user "ada"/,
      ],
      [
        ["logs", "nope", "--gateway", fake.address, "--password", "pw"],
        /cluster "nope" was not found/,
      ],
      [
        ["create", "--option", "bad=1", "--gateway", fake.address, "--password", "pw"],
        /rejected the request to create a cluster: Unknown option "bad"/,
      ],
    ];
    // Two at a time: each is a Node process compiling TypeScript.
    const results: Awaited<ReturnType<typeof clusters>>[] = [];
    for (let i = 0; i < cases.length; i += 2)
      results.push(...(await Promise.all(cases.slice(i, i + 2).map(([args]) => clusters(args)))));
    results.forEach((r, i) => {
      const [args, pattern] = cases[i]!;
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, pattern, args.join(" "));
      assert.equal(
        r.stderr.trimEnd().split("\n").length,
        1,
        `one line for ${args.join(" ")}: ${r.stderr}`,
      );
    });
  } finally {
    await fake.stop();
  }
  const down = await clusters(["list", "--gateway", fake.address]);
  assert.equal(down.code, 1);
  assert.match(
    down.stderr,
    /^flowgate: FG_GATEWAY_UNREACHABLE: could not reach the flowgate gateway at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED; is `flowgate gateway` running there\?\n$/,
  );
});
