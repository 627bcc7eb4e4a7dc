import { readFile } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Command } from "commander";
import { GatewayConfigError } from "../../gateway/server/errors.ts";
import {
  resolveGatewayConfig,
  startGateway,
  type BackendName,
  type GatewayConfig,
} from "../../gateway/server/index.ts";
import { UsageError } from "../usage-error.ts";

const backends: BackendName[] = ["local", "unsafe-local", "slurm", "container", "kubernetes"];

interface GatewayFlags {
  config?: string;
  address?: string;
  backend?: string;
  stateDir?: string;
  tlsCert?: string;
  tlsKey?: string;
}

/** Reads a gateway config: a .json file, or a .ts/.js module default-exporting the object. */
export async function loadGatewayConfig(file: string): Promise<GatewayConfig> {
  const path = resolve(file);
  const ext = extname(path);
  let value: unknown;
  try {
    if (ext === ".json") value = JSON.parse(await readFile(path, "utf8"));
    else if ([".ts", ".mts", ".js", ".mjs"].includes(ext))
      value = ((await import(pathToFileURL(path).href)) as { default?: unknown }).default;
    else throw new UsageError(`--config ${file}: use a .json, .ts or .js file`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--config ${file}: cannot read it: ${(e as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`--config ${file}: must hold (or default-export) a config object`);
  }
  return value as GatewayConfig;
}

/** Runs `flowgate gateway` until SIGTERM/SIGINT, which stop every cluster first. */
export async function runGateway(flags: GatewayFlags): Promise<void> {
  const config: GatewayConfig = flags.config ? await loadGatewayConfig(flags.config) : {};
  if (flags.address) config.address = flags.address;
  if (flags.backend) {
    if (!backends.includes(flags.backend as BackendName)) {
      throw new UsageError(`--backend ${flags.backend}: use one of ${backends.join(", ")}`);
    }
    config.backend = flags.backend as BackendName;
  }
  if (flags.stateDir) config.stateDir = flags.stateDir;
  if (flags.tlsCert || flags.tlsKey) {
    if (!flags.tlsCert || !flags.tlsKey)
      throw new UsageError("--tls-cert and --tls-key go together");
    config.tls = { cert: flags.tlsCert, key: flags.tlsKey };
  }
  let grace: number;
  try {
    grace = resolveGatewayConfig(config).shutdownGraceMs;
  } catch (e) {
    // A broken config is one line naming the key, not a stack.
    if (e instanceof GatewayConfigError)
      throw new UsageError(flags.config ? `${flags.config}: ${e.message}` : e.message);
    throw e;
  }
  if ((config.backend ?? "local") === "local" && process.getuid?.() === 0) {
    // Users' cluster processes may read flowgate's precompiled entries but not write its cache:
    // build them now, as root.
    const { processEntry } = await import("../../shipping/index.ts");
    const { threadRuntime } = await import("../../shipping/index.ts");
    await Promise.all([processEntry(), threadRuntime()]).catch((e: unknown) =>
      process.stderr.write(
        `flowgate gateway: could not precompile flowgate for users' clusters (${(e as Error).message}); their processes may fail to start\n`,
      ),
    );
  }
  const gw = await startGateway(config);
  // Handlers first, then the ready line: whoever reads it may send SIGTERM at once.
  const stopped = new Promise<void>((done) => {
    const stop = () => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      // Whatever clients or clusters do, the process ends within the grace period.
      setTimeout(() => {
        process.stderr.write(
          `flowgate gateway: not stopped after the ${grace / 1000} s grace period; exiting\n`,
        );
        process.exit(1);
      }, grace + 1000).unref();
      gw.close().then(done, (e) => {
        process.stderr.write(`flowgate gateway: error while stopping: ${(e as Error).message}\n`);
        done();
      });
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
  process.stdout.write(`flowgate gateway ready ${JSON.stringify({ address: gw.address })}\n`);
  await stopped;
  // Sockets a client still holds open must not keep the process alive.
  process.exit(0);
}

export function registerGateway(program: Command): void {
  program
    .command("gateway")
    .description(
      "serve the gateway: a REST API that creates, scales and stops clusters (Dask Gateway compatible)",
    )
    .option("--config <file>", "config file: .json, or .ts/.js default-exporting the config object")
    .option("--address <host:port>", "address to listen on (default 0.0.0.0:8000, as Dask Gateway)")
    .option(
      "--backend <name>",
      "where clusters run: local (default; each user's clusters as their Unix account, needs root for several users), unsafe-local (all as the gateway's account: single-user machines only), slurm, container or kubernetes",
    )
    .option(
      "--state-dir <dir>",
      "database, encryption key and cluster folders (default FLOWGATE_STATE_DIR, /var/lib/flowgate/gateway as root, else ~/.local/state/flowgate/gateway)",
    )
    .option("--tls-cert <file>", "serve HTTPS with this certificate (PEM)")
    .option("--tls-key <file>", "the certificate's key (PEM)")
    .action(async (flags: GatewayFlags) => {
      await runGateway(flags);
    });
}
