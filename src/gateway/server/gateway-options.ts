import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { GatewayConfigError } from "./errors.ts";
import type { OptionField } from "./cluster-options.ts";
import { defaultOptionFields } from "./cluster-options.ts";
import { defaultStateDir, stateEncryptKey } from "./state-dir.ts";
import type { ContainerBackendConfig } from "./backends/container/container-options.ts";
import type { KubernetesBackendConfig } from "./backends/kubernetes/kubernetes-options.ts";
import type { SlurmBackendConfig } from "./backends/slurm/slurm-options.ts";

/** Where clusters run. `local` runs each user's clusters as their Unix account; `unsafe-local` runs all as the gateway's. */
export type BackendName = "local" | "unsafe-local" | "slurm" | "container" | "kubernetes";
const backendNames: readonly BackendName[] = [
  "local",
  "unsafe-local",
  "slurm",
  "container",
  "kubernetes",
];

/** A user of the `basic` authenticator; `passwordHash` comes from `hashPassword()`. */
export interface BasicUser {
  passwordHash: string;
  admin?: boolean;
}

/** How users authenticate. */
export type AuthConfig =
  | { type: "simple"; password?: string; admins?: string[] }
  | { type: "basic"; users: Record<string, BasicUser>; admins?: string[] }
  | {
      type: "token";
      /** Static API tokens: token -> user. */
      tokens?: Record<string, { user: string; admin?: boolean }>;
      /** JWTs signed with an HS256 secret or verified by a PEM public key / JWKS URL. */
      jwt?: {
        secret?: string;
        publicKey?: string;
        jwksUrl?: string;
        issuer?: string;
        audience?: string;
        userClaim?: string;
        adminClaim?: string;
      };
      admins?: string[];
    };

/** Per-cluster limits. Absent fields are unlimited. */
export interface ClusterLimits {
  maxWorkers?: number;
  maxCores?: number;
  /** GiB */
  maxMemory?: number;
}

/** Per-user quotas over all the user's active clusters. */
export interface UserQuota {
  maxClusters?: number;
  maxCores?: number;
  /** GiB */
  maxMemory?: number;
}

/** The local backend's settings. */
export interface LocalBackendConfig {
  /** argv that starts a scheduler; flowgate adds its flags. @default [node, <repo>/bin/flowgate.js, "scheduler"] */
  schedulerCommand?: string[];
  /** argv that starts a worker; flowgate adds the address and flags. @default [node, <repo>/bin/flowgate.js, "worker"] */
  workerCommand?: string[];
  /** ms between SIGTERM and SIGKILL. @default 5000 */
  stopGraceMs?: number;
  /** Idle Node processes kept ready per command, so a start skips Node's boot. @default 2 */
  warmProcesses?: number;
}

/** The gateway configuration: what a config file default-exports. */
export interface GatewayConfig {
  /** host:port to listen on. @default "127.0.0.1:0" */
  address?: string;
  /** Address schedulers use to reach the API. @default the listening address */
  apiUrl?: string;
  tls?: { cert: string; key: string };
  /** @default { type: "simple" } */
  auth?: AuthConfig;
  /** @default "local" */
  backend?: BackendName;
  local?: LocalBackendConfig;
  slurm?: SlurmBackendConfig;
  container?: ContainerBackendConfig;
  kubernetes?: KubernetesBackendConfig;
  /**
   * The gateway's own folder: database, generated encryption key, cluster folders.
   * @default env FLOWGATE_STATE_DIR, else /var/lib/flowgate/gateway as root, else $XDG_STATE_HOME/flowgate/gateway (~/.local/state/flowgate/gateway)
   */
  stateDir?: string;
  /** SQLite file; ":memory:" keeps nothing across restarts (ask for it explicitly). @default <stateDir>/gateway.db */
  db?: string;
  /** Where per-cluster certificates and logs live. @default stateDir */
  dataDir?: string;
  /** Key for secrets at rest (any string, hashed to 32 bytes). @default env FLOWGATE_GATEWAY_ENCRYPT_KEY, else <stateDir>/encrypt-key (generated, 0600) for the default db; required with another file db */
  encryptKey?: string;
  /** ms a scheduler keeps running while the gateway is unreachable (a cluster's lease, when shorter, wins). @default 600000 */
  orphanTimeoutMs?: number;
  /** Key signing the auth cookie. @default random per process */
  cookieSecret?: string;
  /** Typed cluster options. @default worker_cores, worker_memory, environment, image */
  options?: OptionField[];
  limits?: ClusterLimits;
  quotas?: { default?: UserQuota; users?: Record<string, UserQuota> };
  /** @default 60000 */ clusterStartTimeoutMs?: number;
  /** @default 60000 */ workerStartTimeoutMs?: number;
  /** @default 5000 */ heartbeatPeriodMs?: number;
  /** @default 3 * heartbeatPeriodMs */ heartbeatTimeoutMs?: number;
  /** 0 turns it off. @default 1800000 (30 min) */ idleTimeoutMs?: number;
  /** 0 turns it off. @default 0 */ maxLifetimeMs?: number;
  /** @default 1000 */ adaptivePeriodMs?: number;
  /** @default 3 */ workerStartFailureLimit?: number;
  /** How often timeouts and process liveness are checked. @default 1000 */ checkPeriodMs?: number;
  /** @default 1048576 */ bodyLimit?: number;
  /** @default 20000 */ waitTimeoutMs?: number;
  /** pino level. @default "info" */ logLevel?: string;
  /** Stop every cluster when the gateway closes. @default true */
  stopClustersOnShutdown?: boolean;
}

/** `GatewayConfig` with every default filled in. */
export interface ResolvedGatewayConfig extends Required<
  Omit<
    GatewayConfig,
    "tls" | "apiUrl" | "local" | "quotas" | "limits" | "slurm" | "container" | "kubernetes"
  >
> {
  slurm?: SlurmBackendConfig;
  container?: ContainerBackendConfig;
  kubernetes?: KubernetesBackendConfig;
  tls?: { cert: string; key: string };
  apiUrl?: string;
  local: Required<LocalBackendConfig>;
  limits: ClusterLimits;
  quotas: { default: UserQuota; users: Record<string, UserQuota> };
  encryptKeyIsEphemeral: boolean;
}

const repoRoot = new URL("../../../", import.meta.url).pathname;

/** Fills in defaults and checks the config; throws GatewayConfigError naming the bad field. */
export function resolveGatewayConfig(c: GatewayConfig): ResolvedGatewayConfig {
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
  const auth = c.auth ?? { type: "simple" };
  if (!["simple", "basic", "token"].includes(auth.type)) {
    throw new GatewayConfigError(
      `auth.type ${JSON.stringify(auth.type)} is unknown; use "simple", "basic" or "token"`,
    );
  }
  const backend = c.backend ?? "local";
  if (!backendNames.includes(backend)) {
    throw new GatewayConfigError(
      `backend ${JSON.stringify(c.backend)} is unknown; use ${backendNames.map((b) => JSON.stringify(b)).join(", ")}`,
    );
  }
  const flowgateBin = join(repoRoot, "bin", "flowgate.js");
  return {
    address: c.address ?? "127.0.0.1:0",
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
    heartbeatTimeoutMs: c.heartbeatTimeoutMs ?? 3 * heartbeatPeriodMs,
    idleTimeoutMs: c.idleTimeoutMs ?? 30 * 60_000,
    maxLifetimeMs: c.maxLifetimeMs ?? 0,
    adaptivePeriodMs: c.adaptivePeriodMs ?? 1000,
    workerStartFailureLimit: c.workerStartFailureLimit ?? 3,
    checkPeriodMs: c.checkPeriodMs ?? 1000,
    bodyLimit: c.bodyLimit ?? 1024 * 1024,
    waitTimeoutMs: c.waitTimeoutMs ?? 20_000,
    logLevel: c.logLevel ?? "info",
    stopClustersOnShutdown: c.stopClustersOnShutdown ?? true,
  };
}
