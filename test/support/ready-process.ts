import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

/** A started flowgate process (gateway, agent…) that printed its ready line. */
export interface ReadyProcess<T> {
  /** What the ready line's JSON said. */
  readonly ready: T;
  readonly child: ChildProcess;
  /** Output so far (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGTERM, then waits for the exit (nothing when it has already exited). */
  stop(): Promise<void>;
}

/**
 * Waits for `flowgate <role> ready {json}` on the child's stdout. A child that exits first, or is
 * not ready within `timeoutMs`, fails the wait; on a timeout it is killed, so a failed start
 * leaves nothing running.
 */
export async function waitUntilReady<T>(
  child: ChildProcess,
  role: string,
  timeoutMs: number,
): Promise<ReadyProcess<T>> {
  let output = "";
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${role} did not start within ${timeoutMs / 1000} s:\n${output}`));
    }, timeoutMs);
    child.once("exit", (code) => reject(new Error(`${role} exited ${code}:\n${output}`)));
    const pattern = new RegExp(`^flowgate ${role} ready (\\{.*\\})$`);
    lines.on("line", (line) => {
      output += `${line}\n`;
      const m = pattern.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(JSON.parse(m[1]!) as T);
      }
    });
  });
  return {
    ready,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
