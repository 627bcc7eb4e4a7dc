import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitUntilReady } from "./ready-process.ts";

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
  const started = await waitUntilReady<{ address: string }>(child, "gateway", 60_000);
  return { ...started, address: started.ready.address };
}
