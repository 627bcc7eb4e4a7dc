import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/flowgate.js", import.meta.url));

/** A `flowgate server` child process. */
export interface ServerProcess {
  readonly address: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, "127.0.0.1");
  await once(s, "listening");
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * Starts `flowgate server --address 127.0.0.1:<free port> --db <db>` and waits until it answers
 * GET /api/health (30 s at most); its output goes to this process's stderr.
 */
export async function startServerProcess(
  db: string,
  extraArgs: string[] = [],
): Promise<ServerProcess> {
  const port = await freePort();
  const address = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [BIN, "server", "--address", `127.0.0.1:${port}`, "--db", db, ...extraArgs],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const exited = once(child, "exit").then(([code]) => {
    throw new Error(`flowgate server exited (${String(code)}) before it answered at ${address}`);
  });
  const deadline = Date.now() + 30_000;
  const ready = (async () => {
    for (;;) {
      const ok = await fetch(`${address}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline)
        throw new Error(`flowgate server did not answer at ${address} within 30 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    await Promise.race([ready, exited]);
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }
  exited.catch(() => {});
  return {
    address,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
