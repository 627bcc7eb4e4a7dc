import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { AddressError, ClusterConnectError, ClusterStartError } from "../../src/cluster/index.ts";
import { parseAddress } from "../../src/cluster/wire/address.ts";
import { dial } from "../../src/cluster/wire/dial.ts";
import { listenUnix } from "../../src/cluster/wire/unix-transport.ts";
import { meetFlow } from "./fixtures/peer-flows.ts";
import { alive, startHarness, type Harness } from "./fixtures/cluster-harness.ts";
import { eventually } from "../support/processes.ts";

describe("unix:// addresses", () => {
  test("parseAddress takes an absolute socket path written with three slashes", () => {
    assert.deepEqual(parseAddress("unix:///run/flowgate/s.sock"), {
      scheme: "unix",
      host: "",
      port: NaN,
      url: "unix:///run/flowgate/s.sock",
      path: "/run/flowgate/s.sock",
    });
    assert.equal(parseAddress("unix:///tmp/a dir/ü.sock").path, "/tmp/a dir/ü.sock");
  });

  test("a relative path, a bare directory and a path too long for sun_path are AddressErrors", () => {
    const rejects = (address: string, why: RegExp) =>
      assert.throws(
        () => parseAddress(address),
        (e: unknown) => e instanceof AddressError && why.test(e.message),
        address,
      );
    rejects("unix://run/s.sock", /must be absolute.*unix:\/\/\/run\/s\.sock/);
    rejects("unix:s.sock", /must be absolute/);
    rejects("unix:///", /not an absolute path to a socket file/);
    rejects("unix:///tmp/", /not an absolute path to a socket file/);
    rejects(`unix:///tmp/${"x".repeat(100)}.sock`, /110 bytes long, more than the 107/);
    // 107 bytes is the longest that fits (108 with the NUL).
    assert.equal(parseAddress(`unix:///${"y".repeat(106)}`).path?.length, 107);
  });

  test("dialing a socket file that is not there says so", async () => {
    const path = join(tmpdir(), `flowgate-no-such-${process.pid}.sock`);
    await assert.rejects(
      dial(`unix://${path}`, undefined, 2000),
      (e: unknown) =>
        e instanceof ClusterConnectError && e.message.includes(`there is no socket file ${path}`),
    );
  });
});

describe("listenUnix", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "flowgate-unix-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("replaces the socket file of a process that died, and the file goes with the server", async () => {
    const path = join(dir, "stale.sock");
    // A process that listens and is killed leaves its socket file behind.
    const child = spawn(process.execPath, [
      "-e",
      `require("net").createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, "SIGKILL"))`,
    ]);
    await new Promise((r) => child.once("exit", r));
    assert.ok(statSync(path).isSocket(), "the dead process's socket file is there");
    // The probe of the second listenUnix below closes at once: its "hi" meets a reset.
    const server = await listenUnix(path, (s) => s.on("error", () => {}).end("hi"));
    assert.equal((statSync(path).mode & 0o777).toString(8), "600");
    const got = await new Promise<string>((resolve, reject) => {
      const c = net.connect(path);
      let text = "";
      c.on("data", (d) => (text += d.toString()));
      c.on("end", () => resolve(text));
      c.on("error", reject);
    });
    assert.equal(got, "hi");
    await assert.rejects(
      listenUnix(path, () => {}),
      /another process listens there/,
    );
    await new Promise((r) => server.close(r));
    assert.equal(existsSync(path), false);
  });

  test("does not remove a file that is not a socket", async () => {
    const path = join(dir, "notes.txt");
    writeFileSync(path, "mine");
    await assert.rejects(
      listenUnix(path, () => {}),
      (e: unknown) => e instanceof ClusterStartError && /not a socket/.test(e.message),
    );
    assert.equal(readFileSync(path, "utf8"), "mine");
  });
});

/** TCP ports in LISTEN state held by any of `pids` (from /proc/net/tcp{,6} and their fds). */
function listeningTcpPorts(pids: readonly number[]): number[] {
  const portByInode = new Map<string, number>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === "0A") portByInode.set(f[9]!, parseInt(f[1]!.split(":")[1]!, 16));
    }
  }
  const ports: number[] = [];
  for (const pid of pids) {
    if (!alive(pid)) continue;
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      const port = inode === undefined ? undefined : portByInode.get(inode);
      if (port !== undefined) ports.push(port);
    }
  }
  return ports;
}

describe("LocalCluster on Unix sockets (the default)", () => {
  let h: Harness;
  let dir: string;
  before(async () => {
    h = await startHarness({ workers: 2 });
    dir = dirname(h.cluster.address.slice("unix://".length));
  });
  after(async () => {
    await h?.close();
  });

  test("its address is a socket in a directory only this user can enter, and no certificate is made", () => {
    assert.equal(h.cluster.transport, "unix");
    assert.match(h.cluster.address, /^unix:\/\/\/.+\/scheduler\.sock$/);
    assert.equal(h.cluster.security, undefined);
    const st = statSync(dir);
    assert.equal((st.mode & 0o777).toString(8), "700");
    assert.equal(st.uid, process.getuid!());
    assert.deepEqual(readdirSync(dir).sort(), ["local-0.sock", "local-1.sock", "scheduler.sock"]);
  });

  test("results move worker to worker: a task gets inputs made by both workers", async () => {
    const xs = [1, 2, 3, 4];
    const r = await meetFlow.run({ executor: h.executor, printLogs: false, parameters: { xs } });
    assert.equal(r.state.type, "Success", JSON.stringify(r.state));
    const out = r.outputs as { pid: number; madeOn: number[]; sums: number[] };
    assert.deepEqual(
      out.sums,
      xs.map((x) => x << 20),
    );
    const makers = new Set(out.madeOn);
    assert.equal(makers.size, 2, `the inputs were made on both workers: ${out.madeOn.join(", ")}`);
    for (const pid of makers) assert.ok(h.cluster.pids.includes(pid), `${pid} is a cluster worker`);
    assert.ok(
      out.madeOn.some((pid) => pid !== out.pid),
      "some input was made on the other worker than the one that gathered them",
    );
  });

  test("nothing of the cluster listens on TCP except the dashboard's HTTP port", () => {
    const dashboardPort = Number(new URL(h.cluster.dashboardLink).port);
    assert.deepEqual(listeningTcpPorts(h.cluster.pids), [], "the workers listen on no TCP port");
    // The scheduler and its dashboard run in this (the test's) process.
    assert.deepEqual(listeningTcpPorts([process.pid]), [dashboardPort]);
  });

  test("a process of this user connects; one of another user is refused by the directory", (t) => {
    const path = h.cluster.address.slice("unix://".length);
    const probe = `require("net").connect(${JSON.stringify(path)}).on("connect", () => { console.log("connected"); process.exit(0); }).on("error", (e) => { console.log(e.code); process.exit(0); })`;
    const same = spawnSync(process.execPath, ["-e", probe], { encoding: "utf8" });
    assert.equal(same.stdout.trim(), "connected");
    if (process.getuid!() !== 0) {
      t.skip(
        "not root: cannot run a process as another user here (the 0700 mode is checked above)",
      );
      return;
    }
    // uid 65534 (nobody): neither the owner nor root.
    const other = spawnSync(process.execPath, ["-e", probe], {
      encoding: "utf8",
      uid: 65534,
      gid: 65534,
    });
    assert.equal(other.stdout.trim(), "EACCES", other.stderr);
  });

  test("a worker killed outright is restarted on its slot's socket, replacing the stale file", async () => {
    const c = await startHarness({ workers: 1 });
    try {
      const killed = c.cluster.pids[0]!;
      const sock = join(dirname(c.cluster.address.slice("unix://".length)), "local-0.sock");
      process.kill(killed, "SIGKILL");
      await eventually("the worker is restarted", () => c.cluster.workerNames[0] === "local-0-r1");
      // SIGKILL leaves the socket file; the new worker must take it over to register.
      const r = await meetFlow.run({
        executor: c.executor,
        printLogs: false,
        parameters: { xs: [3] },
      });
      const out = r.outputs as { madeOn: number[]; sums: number[] };
      assert.deepEqual(out.sums, [3 << 20]);
      assert.notEqual(out.madeOn[0], killed);
      assert.ok(statSync(sock).isSocket());
    } finally {
      await c.close();
    }
  });

  test("close ends every process and removes the directory with its sockets", async () => {
    const c = await startHarness({ workers: 1 });
    const cdir = dirname(c.cluster.address.slice("unix://".length));
    assert.ok(existsSync(join(cdir, "scheduler.sock")));
    await c.close(); // asserts that no process of it is left
    assert.equal(existsSync(cdir), false);
  });
});

describe("LocalCluster socket paths too long for sun_path", () => {
  test("fall back to mutual TLS over 127.0.0.1", async () => {
    const long = mkdtempSync(join(tmpdir(), `flowgate-${"d".repeat(90)}-`));
    const before = process.env.TMPDIR;
    process.env.TMPDIR = long;
    let h: Harness | undefined;
    try {
      h = await startHarness({ workers: 1 });
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
    try {
      assert.equal(h.cluster.transport, "tls");
      assert.match(h.cluster.address, /^tls:\/\/127\.0\.0\.1:\d+$/);
      const r = await meetFlow.run({
        executor: h.executor,
        printLogs: false,
        parameters: { xs: [5] },
      });
      assert.deepEqual((r.outputs as { sums: number[] }).sums, [5 << 20]);
    } finally {
      await h.close();
      rmSync(long, { recursive: true, force: true });
    }
  });
});
