import type { Command } from "commander";
import { runClusterProcess } from "../../cluster/internal.ts";

/**
 * `flowgate scheduler`: runs a cluster scheduler until SIGTERM/SIGINT. bin/flowgate.js starts it
 * from the precompiled entry; here commander gives the help text and hands over the same words.
 */
export function registerScheduler(program: Command): void {
  program
    .command("scheduler")
    .description(
      "run a cluster scheduler; prints `flowgate scheduler ready {address, dashboard}` when listening",
    )
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <port>", "scheduler port (0 = any free port)", "0")
    .option(
      "--socket <path>",
      "listen on this Unix socket (absolute path) instead of --host/--port, without TLS: the directory's permissions decide who connects; the address is then unix://<path>",
    )
    .option("--dashboard-port <port>", "dashboard HTTP port (0 = any free port)", "0")
    .option("--tls-cert <file>", "PEM certificate (mutual TLS)")
    .option("--tls-key <file>", "PEM private key")
    .option("--tls-ca <file>", "PEM CA peers must chain to (default: the certificate)")
    .action(async (_flags: unknown, cmd: Command) => {
      await runClusterProcess(["scheduler", ...cmd.parent!.args.slice(1)]);
      await new Promise(() => {});
    });
}
