// The `local` backend on a shared host: the gateway runs as root and starts each user's
// scheduler and workers as that user's Unix account, with a clean environment, in a folder only
// that account can open. Two real Unix users are created for the test (and removed after it).
// Bob's task then tries each read that once leaked alice's cluster (the gateway's encryption
// key from its environment, alice's tls.key, the gateway's database) and every one must fail.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { processEntry } from "../../../src/shipping/process-entry-build.ts";
import { threadRuntime } from "../../../src/shipping/thread-runtime.ts";
import { GatewayEnvironment } from "../../../src/environments/index.ts";
import { BasicAuth, Gateway, type GatewayCluster } from "../../../src/gateway/client/index.ts";
import { startGateway, type RunningGateway } from "../../../src/gateway/server/index.ts";
import { lookupAccount } from "../../../src/gateway/server/backends/unix-account.ts";
import { eventually, processesOfCluster } from "../../support/processes.ts";
import probeFlow from "./fixtures/probe-flow.ts";

const repo = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");

function whyNot(): string | false {
  if (process.platform !== "linux") return "per-user clusters are tested on Linux only";
  if (process.getuid?.() !== 0)
    return "needs root: the test creates two Unix users and the gateway switches to them (CI runs as root)";
  try {
    execFileSync("useradd", ["--help"], { stdio: "ignore" });
  } catch {
    return "needs useradd to create the test's Unix users";
  }
  // The users' processes run flowgate from this checkout, so every folder above it must let
  // other accounts through (a clone under /root, mode 0700, does not).
  for (let d = repo; d !== dirname(d); d = dirname(d))
    if ((statSync(d).mode & 0o005) !== 0o005)
      return `other accounts cannot read flowgate's checkout: ${d} is not readable and searchable by others (chmod o+rx, or clone elsewhere)`;
  return false;
}
const skip = whyNot();

const tag = randomBytes(3).toString("hex");
const alice = `fgalice${tag}`;
const bob = `fgbob${tag}`;
const gatewayKey = `gateway-key-${randomBytes(8).toString("hex")}`;
const canary = `gateway-only-${randomBytes(8).toString("hex")}`;
let stateDir = "";
let gw: RunningGateway | undefined;
const created: string[] = [];

const uidOf = (pid: number) =>
  Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);

before(async () => {
  if (skip) return;
  for (const u of [alice, bob]) {
    execFileSync("useradd", ["--no-create-home", "--shell", "/usr/sbin/nologin", u]);
    created.push(u);
  }
  // Build the precompiled cluster entry and task-thread runtime as root now: the users may
  // read flowgate's files but not write its cache.
  await processEntry();
  await threadRuntime();
  stateDir = mkdtempSync(join(tmpdir(), "fg-per-user-"));
  chmodSync(stateDir, 0o711);
  // What must never reach a user's task: the gateway's key and any other variable of its own.
  process.env.FLOWGATE_GATEWAY_ENCRYPT_KEY = gatewayKey;
  process.env.FLOWGATE_TEST_GATEWAY_CANARY = canary;
  gw = await startGateway({
    address: "127.0.0.1:0",
    backend: "local",
    stateDir,
    logLevel: "warn",
    heartbeatPeriodMs: 500,
  });
});

after(async () => {
  await gw?.close();
  for (const u of created) execFileSync("userdel", [u]);
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  delete process.env.FLOWGATE_GATEWAY_ENCRYPT_KEY;
  delete process.env.FLOWGATE_TEST_GATEWAY_CANARY;
});

test(
  "per-user local backend - each user's cluster runs as their account; bob's task cannot read the gateway's key, alice's tls.key or the database",
  { skip },
  async () => {
    const aliceAccount = lookupAccount(alice)!;
    const bobAccount = lookupAccount(bob)!;
    let cluster: GatewayCluster | undefined;
    try {
      cluster = await new Gateway({
        address: gw!.address,
        auth: new BasicAuth(alice),
      }).newCluster();
      const dir = join(stateDir, "clusters", cluster.name);
      const key = join(dir, "tls.key");
      for (const [path, mode] of [
        [dir, 0o700],
        [key, 0o600],
        [join(dir, "scheduler.log"), 0o600],
      ] as const) {
        const s = statSync(path);
        assert.equal(s.uid, aliceAccount.uid, `${path} belongs to alice`);
        assert.equal(s.mode & 0o777, mode, `${path} mode`);
      }
      for (const f of ["gateway.db", "gateway.db-wal"])
        assert.equal(statSync(join(stateDir, f)).mode & 0o777, 0o600, `${f} is 0600`);
      const aliceProcs = processesOfCluster(cluster.name);
      assert.equal(aliceProcs.length, 1, "alice's scheduler");
      assert.equal(uidOf(aliceProcs[0]!.pid), aliceAccount.uid, "alice's scheduler runs as alice");

      const result = await new GatewayEnvironment({
        gatewayAddress: gw!.address,
        auth: new BasicAuth(bob),
        adaptiveMinWorkers: 1,
        adaptiveMaxWorkers: 1,
      }).run(probeFlow, {
        printLogs: false,
        parameters: {
          targets: {
            aliceTlsKey: key,
            gatewayDb: join(stateDir, "gateway.db"),
            gatewayWal: join(stateDir, "gateway.db-wal"),
            gatewayEnviron: `/proc/${process.pid}/environ`,
          },
        },
      });
      assert.equal(result.state.type, "Success", JSON.stringify(result.state));
      const seen = result.outputs as Record<string, string>;
      assert.equal(seen.uid, String(bobAccount.uid), "bob's task runs as bob");
      assert.equal(seen.encryptKeyVar, "absent", "the gateway's key is not in bob's environment");
      assert.doesNotMatch(seen.envNames!, /FLOWGATE_TEST_GATEWAY_CANARY|ENCRYPT_KEY/);
      assert.equal(seen.aliceTlsKey, "EACCES", "alice's tls.key");
      assert.equal(seen.gatewayDb, "EACCES", "the gateway's database");
      assert.equal(seen.gatewayWal, "EACCES", "the gateway's WAL");
      assert.equal(seen.gatewayEnviron, "EACCES", "the gateway's own environment");
      const bobs = result.placement.cluster!.name;
      await eventually(
        `no process of bob's cluster ${bobs} left`,
        () => processesOfCluster(bobs).length === 0,
      );
    } finally {
      await cluster?.shutdown();
    }
    const name = cluster?.name;
    if (name)
      await eventually(
        `no process of alice's cluster ${name} left`,
        () => processesOfCluster(name).length === 0,
      );
  },
);

test(
  "per-user local backend - a user without a Unix account gets a 403 naming both remedies",
  { skip },
  async () => {
    for (const user of [`fgnobody${tag}`, "root"]) {
      const res = await fetch(`${gw!.address}/api/v1/clusters/`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${user}:`).toString("base64")}`,
          "content-type": "application/json",
        },
        body: "{}",
      });
      const body = (await res.json()) as { error: string };
      assert.equal(res.status, 403, `${user}: ${body.error}`);
      assert.match(body.error, new RegExp(`User "${user}" cannot start clusters`));
      assert.match(body.error, /Create the Unix account/);
      assert.match(body.error, /"unsafe-local"/);
    }
  },
);
