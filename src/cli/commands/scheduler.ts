import type { Command } from "commander";
import { runSchedulerProcess } from "../../cluster/index.ts";

interface SchedulerFlags {
  host: string;
  port: string;
  dashboardPort: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
}

/** `flowgate scheduler`: runs a cluster scheduler until SIGTERM/SIGINT. */
export function registerScheduler(program: Command): void {
  program
    .command("scheduler")
    .description(
      "run a cluster scheduler; prints `flowgate scheduler ready {address, dashboard}` when listening",
    )
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <port>", "scheduler port (0 = any free port)", "0")
    .option("--dashboard-port <port>", "dashboard HTTP port (0 = any free port)", "0")
    .option("--tls-cert <file>", "PEM certificate (mutual TLS)")
    .option("--tls-key <file>", "PEM private key")
    .option("--tls-ca <file>", "PEM CA peers must chain to (default: the certificate)")
    .action(async (f: SchedulerFlags) => {
      await runSchedulerProcess({
        host: f.host,
        port: Number(f.port),
        dashboardPort: Number(f.dashboardPort),
        tlsCert: f.tlsCert,
        tlsKey: f.tlsKey,
        tlsCa: f.tlsCa,
      });
      await new Promise(() => {});
    });
}
