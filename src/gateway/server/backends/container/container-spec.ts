import type { ClusterRecord } from "../../cluster-record.ts";
import type { ContainerBackendSettings } from "./container-options.ts";
import type { ContainerState } from "./engine-client.ts";
import { tarArchive } from "./tar-archive.ts";

/** Labels by which the gateway finds its containers. */
export const Label = {
  cluster: "flowgate.cluster",
  role: "flowgate.role",
  worker: "flowgate.worker",
} as const;

/** Where the cluster's certificate files are put inside each container. */
export const tlsFiles = { cert: "/flowgate-tls/tls.crt", key: "/flowgate-tls/tls.key" } as const;

/** The certificate files as a tar archive, extracted at "/" before the container starts. */
export function tlsArchive(c: ClusterRecord): Buffer {
  return tarArchive([
    { name: "flowgate-tls/", mode: 0o755 },
    { name: "flowgate-tls/tls.crt", content: c.tlsCert, mode: 0o444 },
    // Readable by whatever user the image runs as; the container's filesystem is the cluster's own.
    { name: "flowgate-tls/tls.key", content: c.tlsKey, mode: 0o444 },
  ]);
}

/** What one scheduler or worker container runs. */
export interface ProcessSpec {
  image: string;
  argv: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
  cores: number;
  memGiB: number;
}

/** The engine's create body: limits, host networking, ulimits, labels, no restarts. */
export function containerSpec(s: ContainerBackendSettings, p: ProcessSpec): object {
  const memory = Math.round(p.memGiB * 2 ** 30);
  return {
    Image: p.image,
    Entrypoint: p.argv.slice(0, 1),
    Cmd: p.argv.slice(1),
    Env: Object.entries(p.env).map(([k, v]) => `${k}=${v}`),
    Labels: { ...s.labels, ...p.labels },
    Tty: false,
    HostConfig: {
      NetworkMode: s.networkMode,
      NanoCpus: Math.round(p.cores * 1e9),
      Memory: memory,
      MemorySwap: memory,
      Ulimits: s.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })),
      RestartPolicy: { Name: "no" },
    },
  };
}

/** The log file a container's output is kept in after removal, from its labels. */
export function logFile(labels: Record<string, string>): string {
  const w = labels[Label.worker];
  return labels[Label.role] === "worker" ? `worker-${w ?? "unknown"}.log` : "scheduler.log";
}

const signals: Record<number, string> = {
  137: " (SIGKILL: killed by the engine, or by the kernel for memory)",
  143: " (SIGTERM)",
};

/** Why a container ended, in the engine's words, or 0 for a clean exit. */
export function describeContainerEnd(name: string, st: ContainerState | undefined): string | 0 {
  if (!st) return `container ${name} no longer exists (removed outside flowgate)`;
  if (st.Error) return `container ${name} failed: ${st.Error}`;
  if (st.OOMKilled) {
    return `container ${name} was killed for exceeding its memory limit (OOMKilled), exit code ${st.ExitCode}`;
  }
  if (st.Status === "created") return `container ${name} was created but never started`;
  if (st.ExitCode === 0) return 0;
  const signal =
    st.ExitCode > 128 ? (signals[st.ExitCode] ?? ` (signal ${st.ExitCode - 128})`) : "";
  return `container ${name} exited with code ${st.ExitCode}${signal}`;
}
