import { KubeConfig } from "@kubernetes/client-node";
import { GatewayConfigError } from "../../errors.ts";

/** Settings of the `kubernetes` backend (the `kubernetes` key of the gateway config). */
export interface KubernetesBackendConfig {
  /** Path of a kubeconfig file. @default $KUBECONFIG, ~/.kube/config, or the in-cluster service account */
  kubeconfig?: string;
  /** Namespace of clusters whose options do not pick one (a `namespace` string option). @default the kubeconfig context's namespace, else "default" */
  namespace?: string;
  /** Image of clusters whose `image` option is empty. @default "flowgate:latest" */
  image?: string;
  /** @default "IfNotPresent" */
  imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
  /** argv that starts a scheduler inside the image; flowgate adds its flags. @default ["flowgate", "scheduler"] */
  schedulerCommand?: string[];
  /** argv that starts a worker inside the image; flowgate adds the address and flags. @default ["flowgate", "worker"] */
  workerCommand?: string[];
  /** @default 8786 */
  schedulerPort?: number;
  /** @default 8787 */
  dashboardPort?: number;
  /**
   * How workers reach the scheduler: "service" is tls://<service>.<namespace>.svc:<schedulerPort>;
   * "reported" is the address the scheduler's heartbeat reported. @default "service"
   */
  workerSchedulerAddress?: "service" | "reported";
  /** Extra labels on every pod, service and secret. @default {} */
  labels?: Record<string, string>;
  /** Value of the `flowgate.io/gateway` label: which gateway owns an object. Two gateways sharing a namespace need different ids. @default "flowgate" */
  gatewayId?: string;
  /** Pod grace period between SIGTERM and SIGKILL on stop. @default 5 */
  stopGraceSeconds?: number;
  /** @default the namespace's default service account */
  serviceAccountName?: string;
}

/** `KubernetesBackendConfig` with every default filled in, plus the loaded kubeconfig. */
export interface ResolvedKubernetesConfig extends Required<
  Omit<KubernetesBackendConfig, "kubeconfig" | "serviceAccountName">
> {
  serviceAccountName?: string;
  kubeConfig: KubeConfig;
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Loads the kubeconfig and fills in defaults. Throws GatewayConfigError naming the bad field
 * when the kubeconfig cannot be read or a value is out of range.
 */
export function resolveKubernetesConfig(c: KubernetesBackendConfig = {}): ResolvedKubernetesConfig {
  const kubeConfig = new KubeConfig();
  try {
    if (c.kubeconfig) kubeConfig.loadFromFile(c.kubeconfig);
    else kubeConfig.loadFromDefault();
  } catch (e) {
    throw new GatewayConfigError(
      `kubernetes.kubeconfig ${JSON.stringify(c.kubeconfig ?? process.env.KUBECONFIG ?? "~/.kube/config")} cannot be loaded: ${(e as Error).message}; point it at a valid kubeconfig`,
      { cause: e },
    );
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw new GatewayConfigError(
      "the kubeconfig has no current cluster; set kubernetes.kubeconfig or KUBECONFIG to a kubeconfig with a current-context",
    );
  }
  const ctxNs = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  const namespace = c.namespace ?? ctxNs ?? "default";
  if (!dnsLabel.test(namespace))
    throw new GatewayConfigError(
      `kubernetes.namespace ${JSON.stringify(namespace)} is not a valid namespace name; use lower-case letters, digits and "-"`,
    );
  const gatewayId = c.gatewayId ?? "flowgate";
  if (!dnsLabel.test(gatewayId) || gatewayId.length > 63)
    throw new GatewayConfigError(
      `kubernetes.gatewayId ${JSON.stringify(gatewayId)} is not a valid label value; use up to 63 lower-case letters, digits and "-"`,
    );
  for (const k of ["schedulerPort", "dashboardPort"] as const) {
    const v = c[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 65535))
      throw new GatewayConfigError(`kubernetes.${k} ${v} is not a port number; use 1-65535`);
  }
  return {
    kubeConfig,
    namespace,
    image: c.image ?? "flowgate:latest",
    imagePullPolicy: c.imagePullPolicy ?? "IfNotPresent",
    schedulerCommand: c.schedulerCommand ?? ["flowgate", "scheduler"],
    workerCommand: c.workerCommand ?? ["flowgate", "worker"],
    schedulerPort: c.schedulerPort ?? 8786,
    dashboardPort: c.dashboardPort ?? 8787,
    workerSchedulerAddress: c.workerSchedulerAddress ?? "service",
    labels: c.labels ?? {},
    gatewayId,
    stopGraceSeconds: c.stopGraceSeconds ?? 5,
    serviceAccountName: c.serviceAccountName,
  };
}
