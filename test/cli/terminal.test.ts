import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { bin, flowgate, logLines, ownClusterProcesses } from "./run-cli.ts";

const flowFile = new URL("fixtures/slow-logs.ts", import.meta.url).pathname;
const expectedLogs = [
  ...Array.from({ length: 8 }, (_, i) => `worked on item ${i}`),
  "adding 8 items",
  "Flow run SUCCESS: all reference tasks succeeded",
];

/** Runs `command` in a detached tmux session of a fixed size and returns the screen at its end. */
async function inTmux(command: string): Promise<string> {
  // A private server on a socket of its own, removed with its folder afterwards.
  const dir = mkdtempSync(join(tmpdir(), "flowgate-cli-tmux-"));
  const tmux = (...args: string[]) =>
    execFileSync("tmux", ["-S", join(dir, "socket"), ...args], { encoding: "utf8" });
  try {
    // The shell stays after the command ends, so that its last screen can be read. 160 columns:
    // the "Cluster created. Scheduler address: unix:///tmp/…" line (~126 characters) must not wrap.
    tmux(
      "new-session",
      "-d",
      "-x",
      "160",
      "-y",
      "50",
      "-s",
      "t",
      `${command}; echo EXIT=$?; sleep 600`,
    );
    for (let i = 0; i < 600; i++) {
      const screen = tmux("capture-pane", "-p", "-t", "t");
      if (/^EXIT=\d+$/m.test(screen)) return screen;
      await sleep(100);
    }
    throw new Error(`the command did not end:\n${tmux("capture-pane", "-p", "-t", "t")}`);
  } finally {
    try {
      tmux("kill-server");
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

test("terminal - every task log line, the final bars and the final state stay on screen", async () => {
  const screen = await inTmux(
    `FLOWGATE_LOG_LEVEL=INFO ${process.execPath} ${bin} run ${flowFile} --cluster local:2`,
  );
  assert.match(screen, /^EXIT=0$/m, screen);
  const lines = screen.split("\n");
  for (const message of expectedLogs)
    assert.equal(
      lines.filter((l) => l.endsWith(`| ${message}`)).length,
      1,
      `"${message}" once on screen:\n${screen}`,
    );
  // one bar per task, redrawn in place: each appears exactly once, full
  assert.equal(lines.filter((l) => /^work\s+█+ 8\/8$/.test(l)).length, 1, screen);
  assert.equal(lines.filter((l) => /^total\s+█+ 1\/1$/.test(l)).length, 1, screen);
  assert.equal(lines.filter((l) => /^work\s+[█░]/.test(l)).length, 1, screen);
  assert.match(
    screen,
    /^Cluster created\. Scheduler address: unix:\/\/\/\S+\.sock Dashboard: http:\/\/\S+\/status$/m,
  );
  assert.match(screen, /^Flow run 'cli-slow-logs' finished: Success/m);
  assert.match(screen, /^Result: 28$/m);
  assert.deepEqual(ownClusterProcesses(), [], "the local cluster's processes are gone");
});

test("terminal - off a terminal, logs as they come and each progress line once per change", () => {
  const r = flowgate(["run", flowFile], { FLOWGATE_LOG_LEVEL: "INFO" });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(
    [...r.stderr].every((c) => c === "\n" || c >= " "),
    `no control characters:\n${JSON.stringify(r.stderr)}`,
  );
  const logs = logLines(r.stderr);
  for (const message of expectedLogs)
    assert.equal(logs.filter((l) => l.endsWith(`| ${message}`)).length, 1, message);
  const progress = r.stderr.split("\n").filter((l) => l.startsWith("progress "));
  assert.equal(new Set(progress).size, progress.length, `no progress line twice:\n${r.stderr}`);
  assert.ok(progress.includes("progress work: 8/8 finished"), r.stderr);
  assert.ok(progress.includes("progress total: 1/1 finished"), r.stderr);
  assert.match(r.stdout, /^Result: 28$/m);
});
