import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const bin = new URL("../../bin/flowgate.js", import.meta.url).pathname;

export interface GatewayProcess {
  readonly address: string;
  readonly child: ChildProcess;
  /** Output so far (stdout and stderr), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `flowgate gateway` on a free port, with a fresh state folder (removed by stop) and the
 * single-account local backend (the tests' users have no Unix accounts), and waits for its
 * ready line. Later `args` win.
 */
export async function startGatewayProcess(
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<GatewayProcess> {
  const stateDir = mkdtempSync(join(tmpdir(), "fg-gateway-state-"));
  const defaults = [
    "--address",
    "127.0.0.1:0",
    "--backend",
    "unsafe-local",
    "--state-dir",
    stateDir,
  ];
  const child = spawn(process.execPath, [bin, "gateway", ...defaults, ...args], {
    env: { ...process.env, FLOWGATE_LOG_LEVEL: "OFF", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.once("exit", () => rmSync(stateDir, { recursive: true, force: true }));
  let output = "";
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const address = await new Promise<string>((resolve, reject) => {
    // A gateway that is not ready in time is killed, so a failed start leaves nothing running.
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`gateway did not start within 60 s:\n${output}`));
    }, 60_000);
    child.once("exit", (code) => reject(new Error(`gateway exited ${code}:\n${output}`)));
    lines.on("line", (line) => {
      output += `${line}\n`;
      const m = /^flowgate gateway ready (\{.*\})$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve((JSON.parse(m[1]!) as { address: string }).address);
      }
    });
  });
  return {
    address,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
