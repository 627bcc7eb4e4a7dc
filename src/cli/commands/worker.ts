import type { Command } from "commander";
import { runClusterProcess } from "../../cluster/internal.ts";

/**
 * `flowgate worker <scheduler-address>`: runs a cluster worker until the scheduler retires it.
 * bin/flowgate.js starts it from the precompiled entry; here commander gives the help text and
 * hands over the same words.
 */
export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("run a cluster worker; prints `flowgate worker ready {name}` once registered")
    .argument(
      "<scheduler-address>",
      "tls://host:port, tcp://host:port, ws(s)://host:port/path or unix:///path.sock",
    )
    .option("--name <name>", "worker name (default: host-pid)")
    .option("--concurrency <n>", "task threads (default: the number of cores)")
    .option(
      "--memory-limit <size>",
      "e.g. 512MiB, 2GB, 1.5GiB, 2G (= GiB); 0 or auto: none. Caps each task thread's heap at limit/concurrency and pauses new tasks above 80%",
    )
    .option("--host <host>", "interface for the peer-data port", "127.0.0.1")
    .option(
      "--socket <path>",
      "serve peer data on this Unix socket (absolute path, no TLS) instead of a port on --host",
    )
    .option("--tls-cert <file>", "PEM certificate (mutual TLS)")
    .option("--tls-key <file>", "PEM private key")
    .option("--tls-ca <file>", "PEM CA (default: the certificate)")
    .action(async (_address: string, _flags: unknown, cmd: Command) => {
      await runClusterProcess(["worker", ...cmd.parent!.args.slice(1)]);
      await new Promise(() => {});
    });
}
