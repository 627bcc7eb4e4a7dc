import { mkdirSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { makeAuthenticator, SessionCookie } from "./auth/index.ts";
import { makeBackend } from "./backends/make-backend.ts";
import { isFinal, JobStatus } from "./cluster-record.ts";
import { ClusterReconciler } from "./cluster-reconciler.ts";
import { recoverClusters } from "./cluster-recovery.ts";
import { ClusterRegistry } from "./cluster-registry.ts";
import { ClusterStore } from "./cluster-store.ts";
import { GatewayConfigError } from "./errors.ts";
import { buildGatewayApp } from "./gateway-app.ts";
import type { GatewayContext } from "./gateway-context.ts";
import { resolveGatewayConfig, type GatewayConfig } from "./gateway-options.ts";
import { LifecycleMonitor } from "./lifecycle-monitor.ts";
import { SecretBox } from "./secret-box.ts";

/** A running gateway. */
export interface RunningGateway {
  /** e.g. http://127.0.0.1:8000 */
  address: string;
  /** Stops every cluster (unless stopClustersOnShutdown is false), then the server. */
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

const version = (
  JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

/**
 * Starts a gateway: opens the store, recovers clusters of a previous run, starts the
 * reconciler and lifecycle monitor and listens. Throws GatewayConfigError on a bad config.
 */
export async function startGateway(config: GatewayConfig = {}): Promise<RunningGateway> {
  const cfg = resolveGatewayConfig(config);
  const { host, port } = splitAddress(cfg.address);
  mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
  const log = pino(
    { level: cfg.logLevel, base: { name: "flowgate-gateway" } },
    pino.destination(2),
  );
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
  const ctx: GatewayContext = {
    cfg,
    reg,
    rec,
    monitor,
    backend,
    log,
    version,
    auth: makeAuthenticator(cfg.auth),
    cookie: new SessionCookie(cfg.cookieSecret),
    countSetAt: new Map(),
    authCache: new Map(),
  };
  const app = buildGatewayApp(ctx);
  await recoverClusters(ctx);
  await app.listen({ host, port });
  const a = app.server.address() as AddressInfo;
  const shownHost = a.family === "IPv6" ? `[${a.address}]` : a.address;
  const address = `${cfg.tls ? "https" : "http"}://${shownHost}:${a.port}`;
  apiUrl = cfg.apiUrl ?? address;
  rec.start();
  monitor.start();
  log.info({ address }, `Gateway listening at ${address}`);

  let closing: Promise<void> | undefined;
  const close = async () => {
    monitor.stop();
    if (cfg.stopClustersOnShutdown) {
      const active = [...reg.clusters.values()].filter((c) => !isFinal(c.status));
      if (active.length) log.info(`Stopping ${active.length} clusters…`);
      for (const c of active) rec.requestStop(c, JobStatus.STOPPED, "gateway shut down");
      const end = Date.now() + cfg.local.stopGraceMs + 10_000;
      while (active.some((c) => !isFinal(c.status)) && Date.now() < end)
        await new Promise((r) => setTimeout(r, 20));
      if (active.length) log.info(`Stopped ${active.length} clusters`);
    }
    await rec.close();
    await app.close();
    await backend.close();
    store.close();
  };
  return {
    address,
    close: () => (closing ??= close()),
  };
}
