import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitUntilReady } from "../support/ready-process.ts";
import { FlowgateServer } from "../../src/server/flowgate-server.ts";
import type { Run } from "../../src/server/api/index.ts";
import { ServerClient } from "../../src/server/client/server-client.ts";
import { BasicAuth } from "../../src/gateway/client/index.ts";

export const bin = new URL("../../bin/flowgate.js", import.meta.url).pathname;
export const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
export const auth = new BasicAuth("agent-tests");
export const authEnv = { FLOWGATE_GATEWAY_USER: "agent-tests" };

/** A fresh temporary folder. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "flowgate-agent-test-"));
}

/** A running server under test: its address, and stop(). */
export interface TestServer {
  readonly address: string;
  stop(): Promise<void>;
}

/**
 * The orchestration server (in this process) on a free port with its own SQLite file; it stops
 * clusters with the tests' gateway credentials. `agentTimeoutMs` shortens the agent expiry.
 */
export async function startServer(options: { agentTimeoutMs?: number } = {}): Promise<TestServer> {
  const server = await FlowgateServer.start({
    address: "127.0.0.1:0",
    db: `sqlite:${join(tempDir(), "server.db")}`,
    gatewayAuth: auth,
    clusterCheckMs: 1000,
    log: () => {},
    ...options,
  });
  return { address: server.url, stop: () => server.close() };
}

export function clientOf(server: TestServer): ServerClient {
  return new ServerClient({ address: server.address, auth });
}

export interface AgentProcess {
  readonly id: number;
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts `flowgate agent --server … [args]` (with `env` added) and waits for its ready line. */
export async function startAgentProcess(
  server: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<AgentProcess> {
  const child = spawn(process.execPath, [bin, "agent", "--server", server, ...args], {
    env: { ...process.env, ...authEnv, FLOWGATE_LOG_LEVEL: "OFF", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const started = await waitUntilReady<{ id: number }>(child, "agent", 30_000);
  return { ...started, id: started.ready.id };
}

/** Runs the CLI to the end; resolves with its exit code and output. */
export async function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...authEnv, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

/** Polls the run until `check` holds (or fails after `timeoutMs` naming the last state). */
export async function waitForRun(
  client: ServerClient,
  id: number,
  what: string,
  check: (run: Run) => boolean,
  timeoutMs = 60_000,
): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await client.getRun(id);
    if (check(run)) return run;
    if (Date.now() > deadline)
      throw new Error(
        `run ${id} did not reach "${what}" within ${timeoutMs} ms; it is ${JSON.stringify(run)}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}
