// Pure parts of the slurm and container backends: job scripts, Slurm output parsing, failure
// reasons, the tar writer and the engine's log framing.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { describeContainerEnd } from "../../../src/gateway/server/backends/container/container-spec.ts";
import { demux } from "../../../src/gateway/server/backends/container/engine-client.ts";
import { tarArchive } from "../../../src/gateway/server/backends/container/tar-archive.ts";
import { jobScript, memMiB, shq } from "../../../src/gateway/server/backends/slurm/job-script.ts";
import {
  describeJobEnd,
  isLiveState,
  parseSbatch,
  parseScontrolJob,
  parseSqueue,
  runSlurm,
} from "../../../src/gateway/server/backends/slurm/slurm-cli.ts";

test("slurm - job script quotes every word and exports only valid names", () => {
  const s = jobScript({
    title: "t",
    env: { A: "it's $HOME", "bad-name": "x" },
    setup: ["module load node"],
    argv: ["/bin/echo", "a b", { shell: '"$(hostname)"' }],
  });
  assert.equal(
    s,
    `#!/bin/sh\n# t\nexport A='it'\\''s $HOME'\nmodule load node\nexec '/bin/echo' 'a b' "$(hostname)"\n`,
  );
  const out = execFileSync(
    "sh",
    ["-c", `eval "$(printf '%s' ${shq("printf %s " + shq("it's $HOME"))})"`],
    { encoding: "utf8" },
  );
  assert.equal(out, "it's $HOME");
  assert.equal(memMiB(0.5), "512M");
  assert.equal(memMiB(2), "2048M");
});

test("slurm - parses sbatch, squeue and scontrol output", () => {
  assert.equal(parseSbatch("123\n"), "123");
  assert.equal(parseSbatch("77;cluster2\n"), "77");
  assert.throws(() => parseSbatch("Submitted batch job 5"), /unexpected output/);
  const q = parseSqueue("12|RUNNING|None\n13|PENDING|Resources\n14|CANCELLED+|None\n");
  assert.deepEqual(
    [...q.entries()],
    [
      ["12", { state: "RUNNING", reason: "None" }],
      ["13", { state: "PENDING", reason: "Resources" }],
      ["14", { state: "CANCELLED", reason: "None" }],
    ],
  );
  assert.equal(isLiveState("PENDING"), true);
  assert.equal(isLiveState("COMPLETING"), false);
  const j = parseScontrolJob(
    "JobId=2 JobName=x JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=3:0 RunTime=00:00:01",
  );
  assert.deepEqual(j, { state: "FAILED", reason: "NonZeroExitCode", exitCode: "3:0" });
  assert.equal(describeJobEnd("2", j), "Slurm job 2 FAILED (NonZeroExitCode), exit code 3");
  assert.equal(
    describeJobEnd("3", { state: "TIMEOUT", reason: "TimeLimit", exitCode: "0:15" }),
    "Slurm job 3 TIMEOUT (TimeLimit), killed by signal 15",
  );
  assert.match(describeJobEnd("4", undefined), /no longer known to Slurm/);
});

test("slurm - a command that exits without reading its stdin gives its exit code, not an EPIPE", async () => {
  const bin = mkdtempSync(join(tmpdir(), "flowgate-fake-slurm-"));
  try {
    writeFileSync(join(bin, "sbatch"), "#!/bin/sh\necho 'sbatch: error: refused' >&2\nexit 1\n");
    chmodSync(join(bin, "sbatch"), 0o755);
    const script = "#".repeat(4 << 20); // far more than a pipe buffer, so the write must fail
    for (let i = 0; i < 5; i++) {
      const r = await runSlurm({ binDir: bin }, "sbatch", ["--parsable"], script);
      assert.deepEqual(r, { code: 1, stdout: "", stderr: "sbatch: error: refused\n" });
    }
    assert.equal((await runSlurm({ binDir: bin }, "sbatch", [])).code, 1);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});

test("container - failure reasons in the engine's words", () => {
  const st = { Status: "exited", Running: false, ExitCode: 1, Error: "", OOMKilled: false };
  assert.equal(describeContainerEnd("s", st), "container s exited with code 1");
  assert.equal(describeContainerEnd("s", { ...st, ExitCode: 0 }), 0);
  assert.match(
    String(describeContainerEnd("s", { ...st, ExitCode: 137, OOMKilled: true })),
    /OOMKilled/,
  );
  assert.match(String(describeContainerEnd("s", { ...st, ExitCode: 137 })), /137 \(SIGKILL/);
  assert.equal(
    describeContainerEnd("s", { ...st, ExitCode: 127, Error: 'exec: "x": not found' }),
    'container s failed: exec: "x": not found',
  );
  assert.match(String(describeContainerEnd("s", undefined)), /no longer exists/);
});

test("container - tar archive is readable by tar(1)", () => {
  const tar = tarArchive([
    { name: "d/", mode: 0o755 },
    { name: "d/a.txt", content: "hello\n", mode: 0o444 },
  ]);
  assert.equal(tar.length % 512, 0);
  assert.equal(
    execFileSync("tar", ["-tvf", "-"], { input: tar, encoding: "utf8" }).split("\n").filter(Boolean)
      .length,
    2,
  );
  assert.equal(
    execFileSync("tar", ["-xOf", "-", "d/a.txt"], { input: tar, encoding: "utf8" }),
    "hello\n",
  );
});

test("container - demultiplexes the engine's log stream", () => {
  const frame = (kind: number, s: string) => {
    const h = Buffer.alloc(8);
    h[0] = kind;
    h.writeUInt32BE(Buffer.byteLength(s), 4);
    return Buffer.concat([h, Buffer.from(s)]);
  };
  assert.equal(demux(Buffer.concat([frame(1, "out\n"), frame(2, "err\n")])), "out\nerr\n");
  assert.equal(demux(Buffer.from("plain tty output\n")), "plain tty output\n");
});
