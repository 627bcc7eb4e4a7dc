import type { ClusterConfig } from "./cluster-options.ts";
import type { ClusterRecord } from "./cluster-record.ts";
import type { ClusterRegistry } from "./cluster-registry.ts";
import { QuotaExceededError } from "./errors.ts";
import type { ResolvedGatewayConfig, UserQuota } from "./gateway-options.ts";

const cores = (cfg: ClusterConfig, workers: number) =>
  cfg.scheduler_cores + workers * cfg.worker_cores;
const memory = (cfg: ClusterConfig, workers: number) =>
  cfg.scheduler_memory + workers * cfg.worker_memory;

function quotaOf(cfg: ResolvedGatewayConfig, user: string): UserQuota {
  return cfg.quotas.users[user] ?? cfg.quotas.default;
}

/**
 * Checks that a new cluster (scheduler only, no workers yet) fits the user's quota and the
 * per-cluster limits. Call inside the store transaction that inserts the row, so two
 * concurrent creates cannot both pass.
 */
export function checkCreate(
  cfg: ResolvedGatewayConfig,
  reg: ClusterRegistry,
  user: string,
  config: ClusterConfig,
): void {
  const q = quotaOf(cfg, user);
  const active = reg.activeOf(user);
  if (q.maxClusters !== undefined && active.length >= q.maxClusters) {
    throw new QuotaExceededError(
      user,
      `User ${JSON.stringify(user)} already has ${active.length} active clusters, the quota is ${q.maxClusters}; stop one first`,
    );
  }
  const usedCores = active.reduce((s, c) => s + cores(c.config, c.count), 0);
  const usedMem = active.reduce((s, c) => s + memory(c.config, c.count), 0);
  if (q.maxCores !== undefined && usedCores + cores(config, 0) > q.maxCores) {
    throw new QuotaExceededError(
      user,
      `User ${JSON.stringify(user)} uses ${usedCores} of ${q.maxCores} cores; a new cluster needs ${cores(config, 0)}; stop or scale down a cluster first`,
    );
  }
  if (q.maxMemory !== undefined && usedMem + memory(config, 0) > q.maxMemory) {
    throw new QuotaExceededError(
      user,
      `User ${JSON.stringify(user)} uses ${usedMem} of ${q.maxMemory} GiB; a new cluster needs ${memory(config, 0)} GiB; stop or scale down a cluster first`,
    );
  }
}

/** The most workers cluster `c` may have under the per-cluster limits and its user's quota. */
export function maxWorkers(
  cfg: ResolvedGatewayConfig,
  reg: ClusterRegistry,
  c: ClusterRecord,
): number {
  const conf = c.config;
  let max = cfg.limits.maxWorkers ?? Infinity;
  if (cfg.limits.maxCores !== undefined)
    max = Math.min(
      max,
      Math.floor((cfg.limits.maxCores - conf.scheduler_cores) / conf.worker_cores),
    );
  if (cfg.limits.maxMemory !== undefined)
    max = Math.min(
      max,
      Math.floor((cfg.limits.maxMemory - conf.scheduler_memory) / conf.worker_memory),
    );
  const q = quotaOf(cfg, c.user);
  if (q.maxCores !== undefined || q.maxMemory !== undefined) {
    const others = reg.activeOf(c.user).filter((o) => o.name !== c.name);
    if (q.maxCores !== undefined) {
      const used = others.reduce((s, o) => s + cores(o.config, o.count), 0);
      max = Math.min(
        max,
        Math.floor((q.maxCores - used - conf.scheduler_cores) / conf.worker_cores),
      );
    }
    if (q.maxMemory !== undefined) {
      const used = others.reduce((s, o) => s + memory(o.config, o.count), 0);
      max = Math.min(
        max,
        Math.floor((q.maxMemory - used - conf.scheduler_memory) / conf.worker_memory),
      );
    }
  }
  return Math.max(0, max);
}
