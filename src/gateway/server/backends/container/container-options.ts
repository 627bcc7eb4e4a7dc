/** An rlimit set on every container (HostConfig.Ulimits). */
export interface ContainerUlimit {
  name: string;
  soft: number;
  hard: number;
}

/** Settings of the `container` backend, as written in the gateway config (`container: {…}`). */
export interface ContainerBackendConfig {
  /** Unix socket of the Docker Engine API (a Docker daemon, or `podman system service`). @default env FLOWGATE_DOCKER_SOCKET, else DOCKER_HOST when unix://, else /var/run/docker.sock */
  socketPath?: string;
  /** Engine API version prefix. @default "v1.41" */
  apiVersion?: string;
  /** Image when the cluster's `image` option is empty. @default "localhost/flowgate-worker:latest" (deploy/build-image.sh) */
  image?: string;
  /** argv that starts a scheduler in the container; flowgate adds its flags. @default ["node", "/opt/flowgate/bin/flowgate.js", "scheduler"] */
  schedulerCommand?: string[];
  /** argv that starts a worker in the container; flowgate adds the address and flags. @default ["node", "/opt/flowgate/bin/flowgate.js", "worker"] */
  workerCommand?: string[];
  /** Host the scheduler listens on and advertises (with host networking, the engine's host). @default "127.0.0.1" */
  schedulerHost?: string;
  /** HostConfig.NetworkMode; workers and the gateway must reach the scheduler's ports through it. @default "host" */
  networkMode?: string;
  /** @default nofile and nproc 1024 */
  ulimits?: ContainerUlimit[];
  /** Pull an image the engine does not have before creating a container. @default true */
  pull?: boolean;
  /** Seconds between SIGTERM and SIGKILL on stop. @default 5 */
  stopGraceSeconds?: number;
  /** Extra labels on every container. @default {} */
  labels?: Record<string, string>;
}

/** `ContainerBackendConfig` with every default filled in, plus the gateway's data folder. */
export interface ContainerBackendSettings extends Required<ContainerBackendConfig> {
  /** Logs of removed containers are kept under it, per cluster. */
  dataDir: string;
}

function defaultSocket(): string {
  const env = process.env.FLOWGATE_DOCKER_SOCKET;
  if (env) return env;
  const host = process.env.DOCKER_HOST;
  if (host?.startsWith("unix://")) return host.slice("unix://".length);
  return "/var/run/docker.sock";
}

/** Fills in the defaults of a `container` backend config. */
export function resolveContainerOptions(
  c: ContainerBackendConfig,
  dataDir: string,
): ContainerBackendSettings {
  return {
    dataDir,
    socketPath: c.socketPath ?? defaultSocket(),
    apiVersion: c.apiVersion ?? "v1.41",
    image: c.image ?? "localhost/flowgate-worker:latest",
    schedulerCommand: c.schedulerCommand ?? ["node", "/opt/flowgate/bin/flowgate.js", "scheduler"],
    workerCommand: c.workerCommand ?? ["node", "/opt/flowgate/bin/flowgate.js", "worker"],
    schedulerHost: c.schedulerHost ?? "127.0.0.1",
    networkMode: c.networkMode ?? "host",
    ulimits: c.ulimits ?? [
      { name: "nofile", soft: 1024, hard: 1024 },
      { name: "nproc", soft: 1024, hard: 1024 },
    ],
    pull: c.pull ?? true,
    stopGraceSeconds: c.stopGraceSeconds ?? 5,
    labels: c.labels ?? {},
  };
}
