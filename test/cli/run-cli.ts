import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { readFileSync } from "node:fs";
import { flowgateProcesses, type FlowgateProcess } from "../support/processes.ts";

/** bin/flowgate.js, the command users run. */
export const bin = new URL("../../bin/flowgate.js", import.meta.url).pathname;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `flowgate …` off a terminal (pipes) and waits for it; `env` adds to the environment. */
export function flowgate(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    env: { ...process.env, FLOWGATE_LOG_LEVEL: "OFF", ...env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same without blocking the test's event loop (needed while the test serves something). */
export function flowgateAsync(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, FLOWGATE_LOG_LEVEL: "OFF", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** Log lines without their timestamp: `LEVEL - name: task | message`. */
export function logLines(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((l) => /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] /.test(l))
    .map((l) => l.slice(l.indexOf("] ") + 2));
}

// Every process this test file starts (directly, through tmux or a cluster) inherits this mark.
const mark = `FLOWGATE_TEST_FILE_PID=${process.pid}`;
process.env.FLOWGATE_TEST_FILE_PID = String(process.pid);

/**
 * Live `flowgate scheduler|worker` processes started by this test file (they carry its mark in
 * their environment), so that clusters of test files running alongside, or of other checkouts on
 * the same machine, do not count.
 */
export function ownClusterProcesses(): FlowgateProcess[] {
  return flowgateProcesses().filter((p) => {
    try {
      return readFileSync(`/proc/${p.pid}/environ`, "utf8").split("\0").includes(mark);
    } catch {
      return false; // it ended while we looked
    }
  });
}

/** Starts `flowgate <args>` and resolves with the JSON of its `flowgate <role> ready {…}` line. */
export async function startProcess(
  args: string[],
): Promise<{ child: ChildProcess; ready: Record<string, string> }> {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, FLOWGATE_LOG_LEVEL: "OFF" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<Record<string, string>>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`flowgate ${args[0]} exited ${code}`)));
    lines.on("line", (line) => {
      const m = /^flowgate \w+ ready (\{.*\})$/.exec(line);
      if (m) resolve(JSON.parse(m[1]!) as Record<string, string>);
    });
  });
  return { child, ready };
}

/** Stops a process startProcess started (SIGTERM) and waits for it to exit. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  await once(child, "exit");
}
