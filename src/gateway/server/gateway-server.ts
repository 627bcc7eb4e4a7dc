import { mkdirSync, readFileSync } from "node:fs";
import type { AddressInfo, Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import { AuthGuard, makeAuthenticator, SessionCookie } from "./auth/index.ts";
import { makeBackend } from "./backends/make-backend.ts";
import { isFinal, JobStatus } from "./cluster-record.ts";
import { ClusterReconciler } from "./cluster-reconciler.ts";
import { recoverClusters } from "./cluster-recovery.ts";
import { ClusterRegistry } from "./cluster-registry.ts";
import { ClusterStore } from "./cluster-store.ts";
import { GatewayConfigError } from "./errors.ts";
import { buildGatewayApp } from "./gateway-app.ts";
import type { GatewayContext } from "./gateway-context.ts";
import { makeGatewayLogger } from "./gateway-log.ts";
import {
  resolveGatewayConfig,
  type GatewayConfig,
  type ResolvedGatewayConfig,
} from "./gateway-options.ts";
import { LifecycleMonitor } from "./lifecycle-monitor.ts";
import { SecretBox } from "./secret-box.ts";
import { lockDatabase } from "./state-lock.ts";

/** A running gateway. */
export interface RunningGateway {
  /** e.g. http://127.0.0.1:8000 (a wildcard listening host is shown as loopback). */
  address: string;
  /**
   * Stops every cluster (unless stopClustersOnShutdown is false), then the server: idle
   * connections at once, the rest (slow or hostile clients, open tunnels) when the config's
   * shutdownGraceMs is used up. Resolves within shutdownGraceMs.
   */
  close(): Promise<void>;
}

function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(":");
  const port = Number(address.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new GatewayConfigError(
      `address ${JSON.stringify(address)} is not host:port; use e.g. "127.0.0.1:8000"`,
    );
  }
  return { host: address.slice(0, i).replace(/^\[|\]$/g, "") || "127.0.0.1", port };
}

/**
 * Closes the HTTP server: idle keep-alive connections at once; requests still being received
 * or answered (a client that sends 3 of 100 promised bytes, a long poll, a scheduler tunnel)
 * get until `deadline`, then their sockets are destroyed.
 */
async function closeServer(
  app: FastifyInstance,
  sockets: Set<Socket>,
  deadline: number,
): Promise<void> {
  const closed = app.close();
  app.server.closeIdleConnections();
  const timeout = new Promise<"timeout">((r) =>
    setTimeout(() => r("timeout"), Math.max(0, deadline - Date.now())).unref(),
  );
  if ((await Promise.race([closed, timeout])) !== "timeout") return;
  app.server.closeAllConnections();
  for (const s of sockets) s.destroy();
  await Promise.race([closed, new Promise((r) => setTimeout(r, 200).unref())]);
}

const version = (
  JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

/**
 * Starts a gateway: takes its database (one gateway per file), opens the store, recovers
 * clusters of a previous run, starts the reconciler and lifecycle monitor and listens. Throws
 * GatewayConfigError on a bad config, GatewayStateInUseError when another gateway uses the file.
 */
export async function startGateway(config: GatewayConfig = {}): Promise<RunningGateway> {
  const cfg = resolveGatewayConfig(config);
  mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
  const unlock = lockDatabase(cfg.db);
  let gateway: RunningGateway;
  try {
    gateway = await start(cfg);
  } catch (e) {
    unlock();
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    address: gateway.address,
    close: () => (closing ??= gateway.close().finally(unlock)),
  };
}

async function start(cfg: ResolvedGatewayConfig): Promise<RunningGateway> {
  const { host, port } = splitAddress(cfg.address);
  const log = await makeGatewayLogger(cfg.logLevel, cfg.logFormat);
  if (cfg.encryptKeyIsEphemeral)
    log.info("No encryptKey set: secrets are encrypted with a key that lives only in this process");
  const store = new ClusterStore(cfg.db, new SecretBox(cfg.encryptKey));
  const reg = new ClusterRegistry(store);
  const backend = makeBackend(cfg);
  for (const w of backend.warnings ?? []) log.warn(w);
  reg.admit = (c) => backend.admit?.(c);
  let apiUrl = "";
  const rec = new ClusterReconciler(reg, backend, cfg, log, () => apiUrl);
  const monitor = new LifecycleMonitor(reg, backend, rec, cfg, log, (s) => backend.exitCode?.(s));
  backend.onProcessExit = () => monitor.poke();
  const auth = makeAuthenticator(cfg.auth);
  const ctx: GatewayContext = {
    cfg,
    reg,
    rec,
    monitor,
    backend,
    log,
    version,
    auth,
    cookie: new SessionCookie(cfg.cookieSecret),
    countSetAt: new Map(),
    authGuard: new AuthGuard(auth, cfg.authLimits),
  };
  const app = buildGatewayApp(ctx);
  // Every socket, also those upgraded to tunnels (which the HTTP server no longer tracks).
  const sockets = new Set<Socket>();
  app.server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  await recoverClusters(ctx);
  await app.listen({ host, port });
  const a = app.server.address() as AddressInfo;
  const wildcard = a.address === "0.0.0.0" || a.address === "::";
  const shownHost = wildcard
    ? a.family === "IPv6"
      ? "[::1]"
      : "127.0.0.1"
    : a.family === "IPv6"
      ? `[${a.address}]`
      : a.address;
  const address = `${cfg.tls ? "https" : "http"}://${shownHost}:${a.port}`;
  apiUrl = cfg.apiUrl ?? address;
  rec.start();
  monitor.start();
  log.info(
    { address, listen: `${a.address}:${a.port}` },
    `Gateway listening at ${address}${wildcard ? ` (all interfaces, port ${a.port})` : ""}`,
  );

  let closing: Promise<void> | undefined;
  const close = async () => {
    const deadline = Date.now() + cfg.shutdownGraceMs;
    monitor.stop();
    if (cfg.stopClustersOnShutdown) {
      const active = [...reg.clusters.values()].filter((c) => !isFinal(c.status));
      if (active.length) log.info(`Stopping ${active.length} clusters…`);
      for (const c of active) rec.requestStop(c, JobStatus.STOPPED, "gateway shut down");
      // Leave a quarter of the grace period for the connections and the store.
      const end = Math.min(
        Date.now() + cfg.local.stopGraceMs + 10_000,
        deadline - cfg.shutdownGraceMs / 4,
      );
      while (active.some((c) => !isFinal(c.status)) && Date.now() < end)
        await new Promise((r) => setTimeout(r, 20));
      const left = active.filter((c) => !isFinal(c.status)).length;
      if (active.length)
        log.info(
          `Stopped ${active.length - left} clusters${left ? `; ${left} still stopping` : ""}`,
        );
    }
    await rec.close();
    await closeServer(app, sockets, deadline);
    await backend.close();
    store.close();
  };
  return {
    address,
    close: () => (closing ??= close()),
  };
}
