import { InvalidArgumentError, type Command } from "commander";
import { fileURLToPath } from "node:url";
import { runWorkerProcess } from "../../cluster/index.ts";
import { parseMemoryLimit } from "../../cluster/worker/memory-limit.ts";
import { MemoryLimitError } from "../../cluster/errors.ts";

interface WorkerFlags {
  name?: string;
  concurrency: string;
  memoryLimit?: number;
  host: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
}

/** `flowgate worker <scheduler-address>`: runs a cluster worker until the scheduler retires it. */
export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("run a cluster worker; prints `flowgate worker ready {name}` once registered")
    .argument("<scheduler-address>", "tls://host:port, tcp://host:port or ws(s)://host:port/path")
    .option("--name <name>", "worker name (default: host-pid)")
    .option("--concurrency <n>", "task threads", "1")
    .option(
      "--memory-limit <size>",
      "e.g. 512MiB, 2GB, 1.5GiB, 2G (= GiB); 0 or auto: none. Caps each task thread's heap at limit/concurrency and pauses new tasks above 80%",
      memoryLimitArg,
    )
    .option("--host <host>", "interface for the peer-data port", "127.0.0.1")
    .option("--tls-cert <file>", "PEM certificate (mutual TLS)")
    .option("--tls-key <file>", "PEM private key")
    .option("--tls-ca <file>", "PEM CA (default: the certificate)")
    .action(async (address: string, f: WorkerFlags) => {
      const concurrency = Number(f.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new Error(`--concurrency must be a positive integer, got '${f.concurrency}'`);
      await runWorkerProcess({
        scheduler: address,
        name: f.name,
        concurrency,
        host: f.host,
        tlsCert: f.tlsCert,
        tlsKey: f.tlsKey,
        tlsCa: f.tlsCa,
        memoryLimit: f.memoryLimit,
        taskHostModule: new URL("../../flow/bundle-host.ts", import.meta.url).href,
        threadHooks: [new URL("../../../bin/resolve-flowgate.js", import.meta.url).href],
        bundleDir: fileURLToPath(
          new URL("../../../node_modules/.cache/flowgate/bundles", import.meta.url),
        ),
      });
      await new Promise(() => {});
    });
}

function memoryLimitArg(value: string): number | undefined {
  try {
    return parseMemoryLimit(value);
  } catch (e) {
    throw e instanceof MemoryLimitError ? new InvalidArgumentError(e.detail) : e;
  }
}
