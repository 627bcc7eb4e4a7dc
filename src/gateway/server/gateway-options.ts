import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { GatewayConfigError } from "./errors.ts";
import type { z } from "zod";
import type { OptionField } from "./cluster-options.ts";
import { defaultOptionFields } from "./cluster-options.ts";
import { defaultStateDir, stateEncryptKey } from "./state-dir.ts";
import type { ContainerBackendConfig } from "./backends/container/container-options.ts";
import type { KubernetesBackendConfig } from "./backends/kubernetes/kubernetes-options.ts";
import type { SlurmBackendConfig } from "./backends/slurm/slurm-options.ts";
import {
  gatewayConfigSchema,
  type authLimitsSchema,
  type authSchema,
  type basicUser,
  type GatewayConfigInput,
  type GatewayConfigParsed,
  type limitsSchema,
  type localSchema,
  type quotaSchema,
} from "./gateway-config-schema.ts";
import { describeIssues } from "./schema/schema-errors.ts";

/** Where clusters run. `local` runs each user's clusters as their Unix account; `unsafe-local` runs all as the gateway's. */
export type BackendName = "local" | "unsafe-local" | "slurm" | "container" | "kubernetes";

/** The gateway configuration as written in a config file (docs/gateway-config.example.ts). */
export type GatewayConfig = GatewayConfigInput;
/** How users authenticate. */
export type AuthConfig = z.output<typeof authSchema>;
/** A user of the `basic` authenticator; `passwordHash` comes from `hashPassword()`. */
export type BasicUser = z.output<typeof basicUser>;
/** Per-cluster limits (memory in GiB). Absent fields are unlimited. */
export type ClusterLimits = z.output<typeof limitsSchema>;
/** Per-user quotas over all the user's active clusters (memory in GiB). */
export type UserQuota = z.output<typeof quotaSchema>;
/** The local backend's settings, as written. */
export type LocalBackendConfig = z.input<typeof localSchema>;
/** Failed-authentication limits and the verified-credential cache. */
export type AuthLimits = Required<z.output<typeof authLimitsSchema>>;

/** `GatewayConfig` parsed, with every default filled in. */
export interface ResolvedGatewayConfig {
  address: string;
  apiUrl?: string;
  tls?: { cert: string; key: string };
  auth: AuthConfig;
  backend: BackendName;
  local: Required<z.output<typeof localSchema>>;
  slurm?: SlurmBackendConfig;
  container?: ContainerBackendConfig;
  kubernetes?: KubernetesBackendConfig;
  stateDir: string;
  db: string;
  dataDir: string;
  encryptKey: string;
  encryptKeyIsEphemeral: boolean;
  orphanTimeoutMs: number;
  cookieSecret: string;
  options: OptionField[];
  limits: ClusterLimits;
  quotas: { default: UserQuota; users: Record<string, UserQuota> };
  clusterStartTimeoutMs: number;
  workerStartTimeoutMs: number;
  heartbeatPeriodMs: number;
  heartbeatTimeoutMs: number;
  idleTimeoutMs: number;
  maxLifetimeMs: number;
  adaptivePeriodMs: number;
  workerStartFailureLimit: number;
  checkPeriodMs: number;
  bodyLimit: number;
  waitTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  shutdownGraceMs: number;
  authLimits: AuthLimits;
  logLevel: string;
  logFormat: "auto" | "json" | "pretty";
  stopClustersOnShutdown: boolean;
}

/** Parses a config with the schema; throws GatewayConfigError with one line naming the key. */
export function parseGatewayConfig(c: unknown): GatewayConfigParsed {
  const r = gatewayConfigSchema.safeParse(c ?? {});
  if (!r.success) throw new GatewayConfigError(`gateway config: ${describeIssues(r.error)}`);
  return r.data;
}

const repoRoot = new URL("../../../", import.meta.url).pathname;

/** Fills in defaults and checks the config; throws GatewayConfigError naming the bad field. */
export function resolveGatewayConfig(config: GatewayConfig): ResolvedGatewayConfig {
  const c = parseGatewayConfig(config);
  const stateDir = c.stateDir ?? defaultStateDir();
  const db = c.db ?? join(stateDir, "gateway.db");
  const envKey = process.env.FLOWGATE_GATEWAY_ENCRYPT_KEY || undefined;
  let encryptKey = c.encryptKey ?? envKey ?? (c.db === undefined ? stateEncryptKey(stateDir) : "");
  if (!encryptKey && db !== ":memory:") {
    throw new GatewayConfigError(
      `db ${JSON.stringify(db)} keeps secrets on disk: set encryptKey in the config or FLOWGATE_GATEWAY_ENCRYPT_KEY`,
    );
  }
  const ephemeral = !encryptKey;
  if (ephemeral) encryptKey = randomBytes(32).toString("hex");
  const heartbeatPeriodMs = c.heartbeatPeriodMs ?? 5000;
  const auth: AuthConfig = c.auth ?? { type: "simple" };
  const backend = c.backend ?? "local";
  const heartbeatTimeoutMs = c.heartbeatTimeoutMs ?? 3 * heartbeatPeriodMs;
  if (heartbeatTimeoutMs <= heartbeatPeriodMs)
    throw new GatewayConfigError(
      `gateway config: heartbeatTimeoutMs (${heartbeatTimeoutMs} ms) must be longer than heartbeatPeriodMs (${heartbeatPeriodMs} ms); use about 3 periods`,
    );
  const bodyTimeoutMs = c.bodyTimeoutMs ?? 30_000;
  const headersTimeoutMs = Math.min(c.headersTimeoutMs ?? 10_000, bodyTimeoutMs);
  const flowgateBin = join(repoRoot, "bin", "flowgate.js");
  return {
    address: c.address ?? "0.0.0.0:8000",
    apiUrl: c.apiUrl,
    tls: c.tls,
    auth,
    backend,
    slurm: c.slurm,
    container: c.container,
    kubernetes: c.kubernetes,
    local: {
      schedulerCommand: c.local?.schedulerCommand ?? [process.execPath, flowgateBin, "scheduler"],
      workerCommand: c.local?.workerCommand ?? [process.execPath, flowgateBin, "worker"],
      stopGraceMs: c.local?.stopGraceMs ?? 5000,
      warmProcesses: c.local?.warmProcesses ?? 2,
    },
    stateDir,
    db,
    dataDir: c.dataDir ?? stateDir,
    orphanTimeoutMs: c.orphanTimeoutMs ?? 600_000,
    encryptKey,
    encryptKeyIsEphemeral: ephemeral,
    cookieSecret: c.cookieSecret ?? randomBytes(32).toString("hex"),
    options: c.options ?? defaultOptionFields(),
    limits: c.limits ?? {},
    quotas: { default: c.quotas?.default ?? {}, users: c.quotas?.users ?? {} },
    clusterStartTimeoutMs: c.clusterStartTimeoutMs ?? 60_000,
    workerStartTimeoutMs: c.workerStartTimeoutMs ?? 60_000,
    heartbeatPeriodMs,
    heartbeatTimeoutMs,
    idleTimeoutMs: c.idleTimeoutMs ?? 30 * 60_000,
    maxLifetimeMs: c.maxLifetimeMs ?? 0,
    adaptivePeriodMs: c.adaptivePeriodMs ?? 1000,
    workerStartFailureLimit: c.workerStartFailureLimit ?? 3,
    checkPeriodMs: c.checkPeriodMs ?? 1000,
    bodyLimit: c.bodyLimit ?? 1024 * 1024,
    waitTimeoutMs: c.waitTimeoutMs ?? 20_000,
    headersTimeoutMs,
    bodyTimeoutMs,
    shutdownGraceMs: c.shutdownGraceMs ?? 20_000,
    authLimits: {
      maxFailuresPerAddress: c.authLimits?.maxFailuresPerAddress ?? 20,
      maxFailuresPerUser: c.authLimits?.maxFailuresPerUser ?? 10,
      failureWindowMs: c.authLimits?.failureWindowMs ?? 60_000,
      credentialCacheMs: c.authLimits?.credentialCacheMs ?? 60_000,
    },
    logLevel: c.logLevel ?? "info",
    logFormat: c.logFormat ?? "auto",
    stopClustersOnShutdown: c.stopClustersOnShutdown ?? true,
  };
}
