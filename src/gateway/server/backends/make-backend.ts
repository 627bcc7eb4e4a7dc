import type { ResolvedGatewayConfig } from "../gateway-options.ts";
import type { Backend } from "./backend.ts";
import { ContainerBackend } from "./container/container-backend.ts";
import { resolveContainerOptions } from "./container/container-options.ts";
import { KubernetesBackend } from "./kubernetes/kubernetes-backend.ts";
import { LocalBackend } from "./local-backend.ts";
import { SlurmBackend } from "./slurm/slurm-backend.ts";
import { resolveSlurmOptions } from "./slurm/slurm-options.ts";

/** The backend the config names, built with its own section of the config. */
export function makeBackend(cfg: ResolvedGatewayConfig): Backend {
  switch (cfg.backend) {
    case "local":
      return new LocalBackend({ mode: "per-user", dataDir: cfg.dataDir, ...cfg.local });
    case "unsafe-local":
      return new LocalBackend({ mode: "single-account", dataDir: cfg.dataDir, ...cfg.local });
    case "slurm":
      return new SlurmBackend(resolveSlurmOptions(cfg.slurm ?? {}, cfg.dataDir));
    case "container":
      return new ContainerBackend(resolveContainerOptions(cfg.container ?? {}, cfg.dataDir));
    case "kubernetes":
      return new KubernetesBackend(cfg.kubernetes ?? {});
  }
}
