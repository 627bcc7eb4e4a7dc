import type { Command } from "commander";
import type { AuthConfig } from "../../gateway/server/index.ts";
import { UsageError } from "../usage-error.ts";

interface ServerFlags {
  address?: string;
  db?: string;
  config?: string;
  gateway?: string;
  agentTimeout?: string;
  scheduleAhead?: string;
}

function positive(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} ${v}: give a positive number`);
  return n;
}

/** Runs `flowgate server` until SIGTERM/SIGINT. */
export async function runServer(flags: ServerFlags): Promise<void> {
  const [{ FlowgateServer }, { authFromEnv }] = await Promise.all([
    import("../../server/index.ts"),
    import("../../gateway/client/index.ts"),
  ]);
  let auth: AuthConfig | undefined;
  let extra: Record<string, unknown> = {};
  if (flags.config) {
    const { loadGatewayConfig } = await import("./gateway.ts");
    const c = (await loadGatewayConfig(flags.config)) as Record<string, unknown>;
    auth = c["auth"] as AuthConfig | undefined;
    extra = c;
  }
  const timeoutS = positive("--agent-timeout", flags.agentTimeout);
  const { ServerConfigError } = await import("../../server/errors.ts");
  const server = await FlowgateServer.start({
    ...extra,
    address: flags.address ?? (extra["address"] as string | undefined) ?? "127.0.0.1:4200",
    db: flags.db ?? (extra["db"] as string | undefined),
    auth,
    gateway: flags.gateway,
    gatewayAuth: authFromEnv(),
    agentTimeoutMs: timeoutS !== undefined ? timeoutS * 1000 : undefined,
    scheduleAhead: positive("--schedule-ahead", flags.scheduleAhead),
  }).catch((e: unknown) => {
    throw e instanceof ServerConfigError ? new UsageError(e.message) : e;
  });
  process.stdout.write(`flowgate server ready ${JSON.stringify({ address: server.url })}\n`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      server.close().then(done, (e) => {
        process.stderr.write(`flowgate server: error while stopping: ${(e as Error).message}\n`);
        done();
      });
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}

export function registerServer(program: Command): void {
  program
    .command("server")
    .description(
      "serve the orchestration API: registered flows, runs, agents, schedules, limits, webhooks",
    )
    .option("--address <host:port>", "address to listen on (default 127.0.0.1:4200)")
    .option(
      "--db <url>",
      "sqlite:PATH (default sqlite:flowgate-server.db) or postgres://user@host/db",
    )
    .option(
      "--config <file>",
      "config file (.json/.ts/.js): ServerOptions, e.g. { auth: { type: 'basic', … } }",
    )
    .option(
      "--gateway <url>",
      "gateway for stopping clusters of runs that record none (default FLOWGATE_GATEWAY_ADDRESS)",
    )
    .option(
      "--agent-timeout <seconds>",
      "an agent silent this long is gone; its runs are Crashed (default 30)",
    )
    .option("--schedule-ahead <n>", "upcoming runs created ahead per schedule clock (default 10)")
    .action((flags: ServerFlags) => runServer(flags));
}
