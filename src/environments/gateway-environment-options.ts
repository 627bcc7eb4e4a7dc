import type { GatewayAuth } from "../gateway/client/index.ts";
import { EnvironmentOptionsError } from "./errors.ts";

/** The size and options of the cluster a run gets; `onExecute` may change it per run. */
export interface ClusterPlan {
  clusterOptions: Record<string, unknown>;
  adaptiveMinWorkers: number | undefined;
  adaptiveMaxWorkers: number | undefined;
  /** A fixed worker count instead of adaptive scaling. */
  workers: number | undefined;
}

export interface GatewayEnvironmentOptions {
  /** @default process.env.FLOWGATE_GATEWAY_ADDRESS (one of the two is required) */
  readonly gatewayAddress?: string;
  /** @default from FLOWGATE_GATEWAY_USER/PASSWORD or FLOWGATE_GATEWAY_TOKEN */
  readonly auth?: GatewayAuth;
  /** @default 1 */
  readonly adaptiveMinWorkers?: number;
  /** @default adaptiveMinWorkers (then the cluster cannot grow; a warning is logged) */
  readonly adaptiveMaxWorkers?: number;
  /** A fixed number of workers instead of adaptive scaling. */
  readonly workers?: number;
  /** Worker and scheduler image; by default the cluster runs on the flow runner's own runtime. */
  readonly image?: string;
  /** Cluster options the gateway declares (`flowgate clusters options` lists them). */
  readonly clusterOptions?: Readonly<Record<string, unknown>>;
  /** Passed to the ClusterExecutor. */
  readonly executorOptions?: { readonly connectTimeout?: number };
  /** Kept with the run's placement (for matching runs to runners). */
  readonly labels?: readonly string[];
  /** Changes the cluster's plan from the run's parameters before the cluster is created. */
  readonly onExecute?: (
    parameters: Readonly<Record<string, unknown>>,
    plan: ClusterPlan,
  ) => void | Partial<ClusterPlan> | Promise<void | Partial<ClusterPlan>>;
  readonly onStart?: () => void | Promise<void>;
  readonly onExit?: () => void | Promise<void>;
  /** Leave the cluster running when the run fails, for debugging. @default false */
  readonly keepClusterOnError?: boolean;
  /** Seconds the gateway keeps the cluster after this process goes silent. @default 30 */
  readonly leaseTtl?: number;
}

export interface Sizing {
  readonly mode: "adaptive" | "fixed";
  readonly minimum: number;
  readonly maximum: number;
  /** Set when the maximum defaulted to the minimum. */
  readonly warning?: string;
}

function count(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
    throw new EnvironmentOptionsError(
      `${name} must be a whole number of workers (0 or more), got ${JSON.stringify(value)}`,
    );
  return value;
}

/**
 * Applies the defaults rule (min undefined → 1, max undefined → min) and checks the counts; a
 * fixed `workers` count excludes the adaptive bounds.
 */
export function resolveSizing(plan: ClusterPlan): Sizing {
  const workers = count("workers", plan.workers);
  const min = count("adaptiveMinWorkers", plan.adaptiveMinWorkers);
  const max = count("adaptiveMaxWorkers", plan.adaptiveMaxWorkers);
  if (workers !== undefined) {
    if (min !== undefined || max !== undefined)
      throw new EnvironmentOptionsError(
        "give either workers (a fixed count) or adaptiveMinWorkers/adaptiveMaxWorkers, not both",
      );
    return { mode: "fixed", minimum: workers, maximum: workers };
  }
  const minimum = min ?? 1;
  if (max === undefined)
    return {
      mode: "adaptive",
      minimum,
      maximum: minimum,
      warning: `adaptiveMaxWorkers is not set, so it defaults to adaptiveMinWorkers (${minimum}) and the cluster cannot grow; set adaptiveMaxWorkers to let it scale`,
    };
  if (max < minimum)
    throw new EnvironmentOptionsError(
      `adaptiveMaxWorkers (${max}) is below adaptiveMinWorkers (${minimum}); raise the maximum or lower the minimum`,
    );
  return { mode: "adaptive", minimum, maximum: max };
}
