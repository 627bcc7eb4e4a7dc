import type { Logger } from "pino";
import type { AuthGuard, Authenticator, SessionCookie } from "./auth/index.ts";
import type { Backend } from "./backends/backend.ts";
import type { ClusterReconciler } from "./cluster-reconciler.ts";
import type { ClusterRegistry } from "./cluster-registry.ts";
import type { ResolvedGatewayConfig } from "./gateway-options.ts";
import type { LifecycleMonitor } from "./lifecycle-monitor.ts";

/** Everything the HTTP layer needs, built once by startGateway. */
export interface GatewayContext {
  cfg: ResolvedGatewayConfig;
  reg: ClusterRegistry;
  rec: ClusterReconciler;
  monitor: LifecycleMonitor;
  backend: Backend;
  auth: Authenticator;
  cookie: SessionCookie;
  log: Logger;
  version: string;
  /** When the gateway last set a cluster's count itself (heartbeats briefly defer to it). */
  countSetAt: Map<string, number>;
  /** Verified-credential cache and failed-authentication limits. */
  authGuard: AuthGuard;
}
