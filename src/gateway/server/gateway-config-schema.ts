import { z } from "zod";
import {
  bool,
  duration,
  hostPort,
  int,
  num,
  oneOf,
  size,
  str,
  stringMap,
  strings,
  strictObject,
} from "./schema/schema-values.ts";

/**
 * The gateway configuration's one schema: every key a config file may hold, with its type. A
 * config is parsed with it before anything starts (`resolveGatewayConfig`); unknown keys are
 * errors naming the nearest known key. Defaults live in `resolveGatewayConfig`; every key is
 * explained in docs/gateway-config.example.ts. New options are added here.
 */

const command = () => strings().min(1, { error: "must list at least the program to run" });

const optionSpec = z.discriminatedUnion(
  "type",
  [
    strictObject({ type: z.literal("string"), pattern: str(1000).optional() }),
    strictObject({ type: z.literal("bool") }),
    strictObject({
      type: z.enum(["integer", "int"]),
      min: z.number().optional(),
      max: z.number().optional(),
    }),
    strictObject({
      type: z.literal("float"),
      min: z.number().optional(),
      max: z.number().optional(),
    }),
    strictObject({ type: z.literal("select"), options: strings().min(1) }),
    strictObject({ type: z.literal("mapping") }),
  ],
  { error: () => 'must be one of "string", "bool", "integer", "float", "select", "mapping"' },
);

const optionField = strictObject({
  field: str(100).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "must be an identifier" }),
  label: str(200).optional(),
  default: z.unknown(),
  spec: optionSpec,
  target: oneOf([
    "worker_cores",
    "worker_memory",
    "scheduler_cores",
    "scheduler_memory",
    "environment",
    "image",
  ]).optional(),
});

export const basicUser = strictObject({
  passwordHash: str().startsWith("scrypt:", {
    error: 'must be a hash from hashPassword() ("scrypt:N:r:p:salt:hash")',
  }),
  admin: bool().optional(),
});

export const authSchema = z.discriminatedUnion(
  "type",
  [
    strictObject({
      type: z.literal("simple"),
      password: str().optional(),
      admins: strings().optional(),
    }),
    strictObject({
      type: z.literal("basic"),
      users: z.record(str(256), basicUser, {
        error: (i) =>
          i.input === undefined
            ? 'is required with type "basic": an object of user name -> { passwordHash }'
            : "must be an object of user name -> { passwordHash }",
      }),
      admins: strings().optional(),
    }),
    strictObject({
      type: z.literal("token"),
      tokens: z
        .record(str(), strictObject({ user: str(256), admin: bool().optional() }))
        .optional(),
      jwt: strictObject({
        secret: str().optional(),
        publicKey: str(20_000).optional(),
        jwksUrl: z.url({ error: "must be a URL" }).optional(),
        issuer: str().optional(),
        audience: str().optional(),
        userClaim: str(100).optional(),
        adminClaim: str(100).optional(),
      }).optional(),
      admins: strings().optional(),
    }),
  ],
  { error: () => 'must be one of "simple", "basic", "token"' },
);

export const limitsSchema = strictObject({
  maxWorkers: int(0).optional(),
  maxCores: num(true).optional(),
  maxMemory: size("GiB").optional(),
});

export const quotaSchema = strictObject({
  maxClusters: int(0).optional(),
  maxCores: num(true).optional(),
  maxMemory: size("GiB").optional(),
});

export const localSchema = strictObject({
  schedulerCommand: command().optional(),
  workerCommand: command().optional(),
  stopGraceMs: duration().optional(),
  warmProcesses: int(0, 64).optional(),
});

const slurmSchema = strictObject({
  schedulerCommand: command().optional(),
  workerCommand: command().optional(),
  partition: str(200).optional(),
  account: str(200).optional(),
  qos: str(200).optional(),
  timeLimit: str(100).optional(),
  requestMemory: bool().optional(),
  schedulerHost: str(300).optional(),
  sbatchArgs: strings().optional(),
  setup: strings().optional(),
  slurmConf: str().optional(),
  binDir: str().optional(),
  stopTimeoutMs: duration().optional(),
});

const containerSchema = strictObject({
  socketPath: str().optional(),
  apiVersion: str(20).optional(),
  image: str(500).optional(),
  schedulerCommand: command().optional(),
  workerCommand: command().optional(),
  schedulerHost: str(300).optional(),
  networkMode: str(200).optional(),
  ulimits: z.array(strictObject({ name: str(50), soft: int(-1), hard: int(-1) })).optional(),
  pull: bool().optional(),
  stopGraceSeconds: int(0, 3600).optional(),
  labels: stringMap().optional(),
});

const kubernetesSchema = strictObject({
  kubeconfig: str().optional(),
  namespace: str(63).optional(),
  image: str(500).optional(),
  imagePullPolicy: oneOf(["Always", "IfNotPresent", "Never"]).optional(),
  schedulerCommand: command().optional(),
  workerCommand: command().optional(),
  schedulerPort: int(0, 65535).optional(),
  dashboardPort: int(0, 65535).optional(),
  workerSchedulerAddress: oneOf(["service", "reported"]).optional(),
  labels: stringMap().optional(),
  gatewayId: str(63).optional(),
  stopGraceSeconds: int(0, 3600).optional(),
  serviceAccountName: str(253).optional(),
});

export const authLimitsSchema = strictObject({
  maxFailuresPerAddress: int(1).optional(),
  maxFailuresPerUser: int(1).optional(),
  failureWindowMs: duration(true).optional(),
  credentialCacheMs: duration().optional(),
});

/** Every key of a gateway config file. */
export const gatewayConfigSchema = strictObject({
  address: hostPort().optional(),
  apiUrl: z.url({ error: 'must be a URL such as "http://gateway.example:8000"' }).optional(),
  tls: strictObject({ cert: str(), key: str() }).optional(),
  auth: authSchema.optional(),
  backend: oneOf(["local", "unsafe-local", "slurm", "container", "kubernetes"]).optional(),
  local: localSchema.optional(),
  slurm: slurmSchema.optional(),
  container: containerSchema.optional(),
  kubernetes: kubernetesSchema.optional(),
  stateDir: str().optional(),
  db: str().optional(),
  dataDir: str().optional(),
  orphanTimeoutMs: duration(true).optional(),
  encryptKey: str().min(8, { error: "must be at least 8 characters" }).optional(),
  cookieSecret: str().min(16, { error: "must be at least 16 characters" }).optional(),
  options: z.array(optionField).optional(),
  limits: limitsSchema.optional(),
  quotas: strictObject({
    default: quotaSchema.optional(),
    users: z.record(str(256), quotaSchema).optional(),
  }).optional(),
  clusterStartTimeoutMs: duration(true).optional(),
  workerStartTimeoutMs: duration(true).optional(),
  heartbeatPeriodMs: duration(true).optional(),
  heartbeatTimeoutMs: duration(true).optional(),
  idleTimeoutMs: duration().optional(),
  maxLifetimeMs: duration().optional(),
  adaptivePeriodMs: duration(true).optional(),
  workerStartFailureLimit: int(1).optional(),
  checkPeriodMs: duration(true).optional(),
  bodyLimit: size("bytes").optional(),
  waitTimeoutMs: duration(true).optional(),
  headersTimeoutMs: duration(true).optional(),
  bodyTimeoutMs: duration(true).optional(),
  shutdownGraceMs: duration(true).optional(),
  authLimits: authLimitsSchema.optional(),
  logLevel: oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  logFormat: oneOf(["auto", "json", "pretty"]).optional(),
  stopClustersOnShutdown: bool().optional(),
});

/** A gateway config as written (durations and sizes may be strings). */
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;
/** A parsed gateway config (durations in ms, sizes in bytes or GiB). */
export type GatewayConfigParsed = z.output<typeof gatewayConfigSchema>;
