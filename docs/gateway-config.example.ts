/**
 * Every key of a flowgate gateway config, each with what it does and its default. Start the
 * gateway with it: `flowgate gateway --config docs/gateway-config.example.ts` (a .json file
 * with the same keys works too). Unknown keys are errors that name the nearest known key.
 *
 * Durations are milliseconds or strings such as "500ms", "10s", "30m", "1h30m".
 * Sizes are strings such as "4 GiB", "512 MiB", "1.5 GB" (or numbers: bytes for bodyLimit,
 * GiB for memory limits). test/gateway/server/gateway-config.test.ts loads this file.
 */
import type { GatewayConfig } from "../src/gateway/server/index.ts";

export default {
  // host:port to listen on. Default "0.0.0.0:8000" (as Dask Gateway); `--address` overrides it.
  address: "127.0.0.1:8000",
  // Address schedulers use to reach the API. Default: the listening address.
  apiUrl: "http://127.0.0.1:8000",
  // Serve HTTPS with this certificate and key (PEM files). Default: plain HTTP.
  // tls: { cert: "/etc/flowgate/gateway.crt", key: "/etc/flowgate/gateway.key" },

  // How users authenticate. Default { type: "simple" }: any user name, no password.
  //   { type: "simple", password?: "shared", admins?: [...] }
  //   { type: "basic", users: { name: { passwordHash, admin? } }, admins?: [...] }
  //     (hashes from hashPassword() of flowgate/server)
  //   { type: "token", tokens?: { "<token>": { user, admin? } },
  //     jwt?: { secret? | publicKey? | jwksUrl?, issuer?, audience?, userClaim? ("sub"),
  //             adminClaim? ("admin") }, admins?: [...] }
  auth: {
    type: "basic",
    // Replace these hashes with your own: hashPassword("…") of flowgate/server.
    users: {
      alice: {
        passwordHash:
          "scrypt:16384:8:1:qFZwL3pRkbT0p9oZ3G0Yxw==:Vv0iPZL0mq2x5w2j4t3bU9mI1xkq7Yk5fRk2cQ2m4a8=",
      },
      root: {
        passwordHash:
          "scrypt:16384:8:1:6m3hG2yTtXo8m2Qp4b6l2A==:Zk3x0bqkq3b8uO6Tt7jv2rj1m1Wc8sYq0pP2n9x3r5s=",
        admin: true,
      },
    },
    // Users who see and may stop every cluster. Default [].
    admins: ["root"],
  },
  // Failed authentication limits (429 with Retry-After) and the verified-credential cache.
  authLimits: {
    // Failures per client address within failureWindowMs. Default 20.
    maxFailuresPerAddress: 20,
    // Failures per user name within failureWindowMs. Default 10.
    maxFailuresPerUser: 10,
    // Default "1m".
    failureWindowMs: "1m",
    // How long a verified Authorization header is remembered (0: never). Default "1m".
    credentialCacheMs: "1m",
  },

  // Where clusters run: "local" (processes of each user's own Unix account; safe for several
  // users), "unsafe-local" (processes of the gateway's account; a single-user machine only),
  // "slurm", "container" or "kubernetes". Default "local".
  backend: "local",
  // The local backend.
  local: {
    // argv that starts a scheduler; flowgate adds its flags. Default [node, <flowgate>/bin/flowgate.js, "scheduler"].
    schedulerCommand: ["/usr/bin/node", "/opt/flowgate/bin/flowgate.js", "scheduler"],
    // argv that starts a worker; flowgate adds the address and flags. Default [node, <flowgate>/bin/flowgate.js, "worker"].
    workerCommand: ["/usr/bin/node", "/opt/flowgate/bin/flowgate.js", "worker"],
    // Between SIGTERM and SIGKILL. Default "5s".
    stopGraceMs: "5s",
    // Idle Node processes kept ready per command, so a start skips Node's boot. Default 2.
    warmProcesses: 2,
  },
  // The slurm backend (used when backend is "slurm").
  slurm: {
    // argv of the scheduler inside the job. Default [node, <flowgate>/bin/flowgate.js, "scheduler"].
    schedulerCommand: ["node", "/opt/flowgate/bin/flowgate.js", "scheduler"],
    // argv of a worker inside the job. Default [node, <flowgate>/bin/flowgate.js, "worker"].
    workerCommand: ["node", "/opt/flowgate/bin/flowgate.js", "worker"],
    // sbatch --partition. Default: Slurm's default partition.
    partition: "compute",
    // sbatch --account. Default none.
    account: "research",
    // sbatch --qos. Default none.
    qos: "normal",
    // sbatch --time. Default: the partition's limit.
    timeLimit: "8:00:00",
    // Send --mem from worker_memory / scheduler_memory. Default true.
    requestMemory: true,
    // Host the scheduler listens on and advertises. Default: the job node's hostname.
    schedulerHost: "node001",
    // Extra sbatch arguments for every job. Default [].
    sbatchArgs: ["--constraint=skylake"],
    // Shell lines run before the command in every job script. Default [].
    setup: ["module load nodejs"],
    // SLURM_CONF for the Slurm commands. Default: env SLURM_CONF.
    slurmConf: "/etc/slurm/slurm.conf",
    // Folder of sbatch, squeue, scancel, scontrol. Default: found on PATH.
    binDir: "/usr/bin",
    // How long a stop waits for the job to leave squeue before SIGKILL. Default "30s".
    stopTimeoutMs: "30s",
  },
  // The container backend (used when backend is "container"): Docker Engine API (podman or Docker).
  container: {
    // Unix socket of the engine. Default env FLOWGATE_DOCKER_SOCKET, DOCKER_HOST (unix://) or /var/run/docker.sock.
    socketPath: "/run/podman/podman.sock",
    // Engine API version prefix. Default "v1.41".
    apiVersion: "v1.41",
    // Image when a cluster's image option is empty. Default "localhost/flowgate-worker:latest".
    image: "localhost/flowgate-worker:latest",
    // argv of the scheduler in the container. Default ["node", "/opt/flowgate/bin/flowgate.js", "scheduler"].
    schedulerCommand: ["node", "/opt/flowgate/bin/flowgate.js", "scheduler"],
    // argv of a worker in the container. Default ["node", "/opt/flowgate/bin/flowgate.js", "worker"].
    workerCommand: ["node", "/opt/flowgate/bin/flowgate.js", "worker"],
    // Host the scheduler listens on and advertises. Default "127.0.0.1".
    schedulerHost: "127.0.0.1",
    // HostConfig.NetworkMode. Default "host".
    networkMode: "host",
    // rlimits of every container. Default nofile and nproc 1024.
    ulimits: [{ name: "nofile", soft: 1024, hard: 1024 }],
    // Pull a missing image before creating a container. Default true.
    pull: true,
    // Seconds between SIGTERM and SIGKILL. Default 5.
    stopGraceSeconds: 5,
    // Extra labels on every container. Default {}.
    labels: { team: "data" },
  },
  // The kubernetes backend (used when backend is "kubernetes").
  kubernetes: {
    // kubeconfig file. Default $KUBECONFIG, ~/.kube/config or the in-cluster service account.
    kubeconfig: "/etc/flowgate/kubeconfig",
    // Namespace of clusters. Default: the context's namespace, else "default".
    namespace: "flowgate",
    // Image when a cluster's image option is empty. Default "flowgate:latest".
    image: "flowgate:latest",
    // Default "IfNotPresent".
    imagePullPolicy: "IfNotPresent",
    // argv of the scheduler in the image. Default ["flowgate", "scheduler"].
    schedulerCommand: ["flowgate", "scheduler"],
    // argv of a worker in the image. Default ["flowgate", "worker"].
    workerCommand: ["flowgate", "worker"],
    // Default 8786.
    schedulerPort: 8786,
    // Default 8787.
    dashboardPort: 8787,
    // "service" (tls://<service>.<namespace>.svc) or "reported" (the heartbeat's address). Default "service".
    workerSchedulerAddress: "service",
    // Extra labels on every pod, service and secret. Default {}.
    labels: { team: "data" },
    // Value of the flowgate.io/gateway label; two gateways in one namespace need different ids. Default "flowgate".
    gatewayId: "flowgate",
    // Pod grace period on stop. Default 5.
    stopGraceSeconds: 5,
    // Default: the namespace's default service account.
    serviceAccountName: "flowgate-clusters",
  },

  // The gateway's own folder: database, generated encryption key, cluster folders. Default env
  // FLOWGATE_STATE_DIR, else /var/lib/flowgate/gateway as root, else $XDG_STATE_HOME/flowgate/gateway.
  stateDir: "/var/lib/flowgate/gateway",
  // SQLite file of the gateway's state; ":memory:" keeps nothing across restarts (ask for it
  // explicitly). Default <stateDir>/gateway.db.
  db: "/var/lib/flowgate/gateway/gateway.db",
  // Per-cluster certificates and logs. Default: stateDir.
  dataDir: "/var/lib/flowgate/gateway",
  // How long a scheduler outlives a gateway it cannot reach (a cluster's lease, when shorter, wins). Default "10m".
  orphanTimeoutMs: "10m",
  // Key for secrets at rest (at least 8 characters). Default env FLOWGATE_GATEWAY_ENCRYPT_KEY, else
  // <stateDir>/encrypt-key (generated, 0600) for the default db; required with another file db.
  encryptKey: "change-me-to-a-long-random-string",
  // Key signing the auth cookie (at least 16 characters). Default: random per process.
  cookieSecret: "change-me-to-another-long-random-string",

  // Typed cluster options users may set. Default: worker_cores, worker_memory, environment, image.
  // spec.type: "string" (pattern?), "bool", "integer"/"int" (min?, max?), "float" (min?, max?),
  // "select" (options), "mapping". target: the cluster setting the value sets (default: field).
  options: [
    {
      field: "worker_cores",
      label: "Worker cores",
      default: 1,
      spec: { type: "integer", min: 1, max: 8 },
    },
    {
      field: "worker_memory",
      label: "Worker memory (GiB)",
      default: 2,
      spec: { type: "float", min: 0.5, max: 16 },
    },
    {
      field: "environment",
      label: "Environment variables",
      default: {},
      spec: { type: "mapping" },
    },
    {
      field: "image",
      label: "Image",
      default: "",
      spec: { type: "select", options: ["", "flowgate:gpu"] },
      target: "image",
    },
  ],
  // Per-cluster limits; absent is unlimited.
  limits: {
    maxWorkers: 20,
    maxCores: 40,
    // GiB, or a size string.
    maxMemory: "80 GiB",
  },
  // Per-user quotas over a user's active clusters; absent is unlimited.
  quotas: {
    default: { maxClusters: 3, maxCores: 16, maxMemory: "64 GiB" },
    users: { alice: { maxClusters: 10 } },
  },

  // From create to the scheduler's first heartbeat, else FAILED. Default "60s".
  clusterStartTimeoutMs: "60s",
  // From a worker's start until it connects, else it counts as a failed start. Default "60s".
  workerStartTimeoutMs: "60s",
  // Scheduler -> gateway heartbeat period. Default "5s".
  heartbeatPeriodMs: "5s",
  // No heartbeat for this long -> FAILED. Default 3 heartbeat periods.
  heartbeatTimeoutMs: "15s",
  // Idle clusters are stopped after this (0: never). Default "30m".
  idleTimeoutMs: "30m",
  // Clusters are stopped after this long (0: never). Default 0.
  maxLifetimeMs: "12h",
  // How often the scheduler recomputes its adaptive target. Default "1s".
  adaptivePeriodMs: "1s",
  // Failed worker starts in a row that fail the cluster. Default 3.
  workerStartFailureLimit: 3,
  // How often timeouts and process liveness are checked. Default "1s".
  checkPeriodMs: "1s",
  // Largest request body. Default "1 MiB".
  bodyLimit: "1 MiB",
  // Longest hold of GET /api/v1/clusters/{name}?wait. Default "20s".
  waitTimeoutMs: "20s",
  // A request's headers must arrive within this (else 408). Default "10s".
  headersTimeoutMs: "10s",
  // A request's headers and body must arrive within this (else 408). Default "30s".
  bodyTimeoutMs: "30s",
  // On SIGTERM the gateway stops its clusters and closes every connection within this. Default "20s".
  shutdownGraceMs: "20s",
  // pino level: fatal, error, warn, info, debug, trace or silent. Default "info".
  logLevel: "info",
  // "auto" (human-readable on a terminal, JSON otherwise), "json" or "pretty". Default "auto".
  logFormat: "auto",
  // Stop every cluster when the gateway stops. Default true.
  stopClustersOnShutdown: true,
} satisfies GatewayConfig;
