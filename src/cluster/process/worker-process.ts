import { hostname } from "node:os";
import { ClusterWorker } from "../worker/worker.ts";
import type { ClusterSecurity } from "../security.ts";

export interface WorkerProcessOptions {
  readonly scheduler: string;
  readonly security?: ClusterSecurity;
  readonly name?: string;
  readonly concurrency?: number;
  readonly host?: string;
  /** Serve peer data on this Unix socket (absolute path, no TLS) instead of a port on host. */
  readonly socketPath?: string;
  readonly taskHostModule: string;
  readonly threadHooks?: readonly string[];
  readonly threadModule?: string;
  readonly bundleDir: string;
  /** Bytes (parse `--memory-limit` with parseMemoryLimit); undefined = no limit. */
  readonly memoryLimit?: number;
}

/**
 * Runs a worker in this process: prints `flowgate worker ready {"name"}` once registered, exits 0
 * when the scheduler closes it and after SIGTERM/SIGINT (a graceful retirement: it hands back
 * queued tasks, finishes running ones and lets peers copy its results, within 10 s), and 1 with
 * a line on stderr when it cannot connect within FLOWGATE_CONNECT_TIMEOUT_MS.
 */
export async function runWorkerProcess(o: WorkerProcessOptions): Promise<void> {
  const name = o.name ?? `${hostname()}-${process.pid}`;
  const worker = new ClusterWorker({
    scheduler: o.scheduler,
    name,
    concurrency: o.concurrency,
    security: o.security,
    host: o.host,
    socketPath: o.socketPath,
    taskHostModule: o.taskHostModule,
    threadHooks: o.threadHooks,
    threadModule: o.threadModule,
    bundleDir: o.bundleDir,
    memoryLimit: o.memoryLimit,
    connectTimeoutMs: Number(process.env.FLOWGATE_CONNECT_TIMEOUT_MS ?? 30_000),
  });
  try {
    await worker.start();
  } catch (e) {
    process.stderr.write(
      `flowgate worker '${name}': ${e instanceof Error ? e.message : String(e)}\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`flowgate worker ready ${JSON.stringify({ name })}\n`);
  const stop = async () => {
    await worker.stop();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop());
  process.once("SIGINT", () => void stop());
  await worker.closed;
  await Promise.race([worker.close(), new Promise((r) => setTimeout(r, 1000))]);
  process.exit(0);
}
