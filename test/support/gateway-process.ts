import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

const bin = new URL("../../bin/flowgate.js", import.meta.url).pathname;

export interface GatewayProcess {
  readonly address: string;
  readonly child: ChildProcess;
  /** Output so far (stdout and stderr), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `flowgate gateway` on a free port and waits for its ready line. */
export async function startGatewayProcess(
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [bin, "gateway", "--address", "127.0.0.1:0", ...args], {
    env: { ...process.env, FLOWGATE_LOG_LEVEL: "OFF", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output}`)), 30_000);
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
