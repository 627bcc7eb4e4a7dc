import type {
  V1EnvVar,
  V1OwnerReference,
  V1Pod,
  V1ResourceRequirements,
  V1Secret,
  V1Service,
} from "@kubernetes/client-node";
import type { ClusterRecord, WorkerRecord } from "../../cluster-record.ts";
import {
  clusterProcessEnv,
  schedulerArgv,
  workerArgv,
  type TlsPaths,
} from "../cluster-commands.ts";
import type { ResolvedKubernetesConfig } from "./kubernetes-options.ts";

/** Label keys by which the backend finds its objects. */
export const Labels = {
  gateway: "flowgate.io/gateway",
  cluster: "flowgate.io/cluster",
  component: "flowgate.io/component",
  worker: "flowgate.io/worker",
} as const;

/** Annotation holding the gateway's cluster name verbatim (labels hold a DNS-safe form). */
export const clusterNameAnnotation = "flowgate.io/cluster-name";

/** Where the cluster's certificate and key are mounted in every pod. */
export const tlsMountPath = "/etc/flowgate/tls";
const container = "flowgate";

/** Lower-case DNS-safe form of a gateway name (cluster names are uuid hex already). */
export const dns = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63) || "x";

export const objectNames = (clusterName: string) => {
  const base = `flowgate-${dns(clusterName)}`.slice(0, 50).replace(/-+$/, "");
  return { secret: base, service: base, scheduler: `${base}-scheduler` };
};
export const workerPodName = (clusterName: string, workerName: string) =>
  `${objectNames(clusterName).service}-worker-${dns(workerName)}`;

function labels(
  k: ResolvedKubernetesConfig,
  c: ClusterRecord,
  component: "scheduler" | "worker" | "cluster",
  worker?: string,
): Record<string, string> {
  return {
    ...k.labels,
    "app.kubernetes.io/name": "flowgate",
    "app.kubernetes.io/managed-by": "flowgate-gateway",
    [Labels.gateway]: k.gatewayId,
    [Labels.cluster]: dns(c.name),
    [Labels.component]: component,
    ...(worker ? { [Labels.worker]: dns(worker) } : {}),
  };
}

/** Memory in Mi, as a Kubernetes quantity. */
const mebi = (gib: number) => `${Math.max(1, Math.round(gib * 1024))}Mi`;

function resources(cores: number, gib: number): V1ResourceRequirements {
  const r = { cpu: String(cores), memory: mebi(gib) };
  return { requests: r, limits: r };
}

/** The pod's own IP (downward API), which other pods and the gateway can connect to. */
const podIpVar = "FLOWGATE_POD_IP";

/**
 * Cluster environment, then the gateway's launch env; the API token comes from the secret and
 * FLOWGATE_POD_IP from the downward API.
 */
function env(c: ClusterRecord, launch: Record<string, string>, secret: string): V1EnvVar[] {
  const all = clusterProcessEnv(c, launch);
  delete all.FLOWGATE_GATEWAY_API_TOKEN;
  delete all[podIpVar];
  return [
    { name: podIpVar, valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
    ...Object.entries(all).map(([name, value]) => ({ name, value })),
    {
      name: "FLOWGATE_GATEWAY_API_TOKEN",
      valueFrom: { secretKeyRef: { name: secret, key: "api-token" } },
    },
  ];
}

const tlsPaths: TlsPaths = { cert: `${tlsMountPath}/tls.crt`, key: `${tlsMountPath}/tls.key` };

function pod(
  k: ResolvedKubernetesConfig,
  c: ClusterRecord,
  name: string,
  podLabels: Record<string, string>,
  argv: string[],
  envVars: V1EnvVar[],
  res: V1ResourceRequirements,
  owner?: V1OwnerReference,
): V1Pod {
  const [cmd, ...args] = argv;
  const secret = objectNames(c.name).secret;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      labels: podLabels,
      annotations: { [clusterNameAnnotation]: c.name },
      ...(owner ? { ownerReferences: [owner] } : {}),
    },
    spec: {
      restartPolicy: "Never",
      terminationGracePeriodSeconds: k.stopGraceSeconds,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...(k.serviceAccountName ? { serviceAccountName: k.serviceAccountName } : {}),
      containers: [
        {
          name: container,
          image: c.config.image ?? k.image,
          imagePullPolicy: k.imagePullPolicy,
          command: [cmd!],
          args,
          env: envVars,
          resources: res,
          volumeMounts: [{ name: "tls", mountPath: tlsMountPath, readOnly: true }],
        },
      ],
      volumes: [
        {
          name: "tls",
          secret: {
            secretName: secret,
            items: [
              { key: "tls.crt", path: "tls.crt" },
              { key: "tls.key", path: "tls.key" },
            ],
          },
        },
      ],
    },
  };
}

/** The secret holding the cluster's certificate, key and API token. */
export function secretManifest(k: ResolvedKubernetesConfig, c: ClusterRecord): V1Secret {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: { name: objectNames(c.name).secret, labels: labels(k, c, "cluster") },
    data: { "tls.crt": b64(c.tlsCert), "tls.key": b64(c.tlsKey), "api-token": b64(c.token) },
  };
}

export function schedulerPodManifest(
  k: ResolvedKubernetesConfig,
  c: ClusterRecord,
  launch: Record<string, string>,
): V1Pod {
  const n = objectNames(c.name);
  // Listens on every interface (Service, port-forward) but reports the pod IP, never 0.0.0.0;
  // Kubernetes expands $(VAR) in args from the container's env.
  const listen = { host: "0.0.0.0", port: k.schedulerPort, dashboardPort: k.dashboardPort };
  const argv = [
    ...schedulerArgv(k.schedulerCommand, listen, tlsPaths),
    "--advertise-host",
    `$(${podIpVar})`,
  ];
  const p = pod(
    k,
    c,
    n.scheduler,
    labels(k, c, "scheduler"),
    argv,
    env(c, launch, n.secret),
    resources(c.config.scheduler_cores, c.config.scheduler_memory),
  );
  p.spec!.containers[0]!.ports = [
    { name: "scheduler", containerPort: k.schedulerPort },
    { name: "dashboard", containerPort: k.dashboardPort },
  ];
  return p;
}

/** Owner reference to the scheduler pod: deleting it deletes the service and the workers. */
export function ownedBy(schedulerPod: string, uid: string): V1OwnerReference {
  return {
    apiVersion: "v1",
    kind: "Pod",
    name: schedulerPod,
    uid,
    blockOwnerDeletion: false,
    controller: false,
  };
}

export function serviceManifest(
  k: ResolvedKubernetesConfig,
  c: ClusterRecord,
  owner: V1OwnerReference,
): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: objectNames(c.name).service,
      labels: labels(k, c, "cluster"),
      ownerReferences: [owner],
    },
    spec: {
      type: "ClusterIP",
      selector: {
        [Labels.cluster]: dns(c.name),
        [Labels.component]: "scheduler",
        [Labels.gateway]: k.gatewayId,
      },
      ports: [
        { name: "scheduler", port: k.schedulerPort, targetPort: "scheduler" },
        { name: "dashboard", port: k.dashboardPort, targetPort: "dashboard" },
      ],
    },
  };
}

export function workerPodManifest(
  k: ResolvedKubernetesConfig,
  c: ClusterRecord,
  w: WorkerRecord,
  schedulerAddress: string,
  launch: Record<string, string>,
  owner: V1OwnerReference,
): V1Pod {
  // Workers listen for their peers on the pod IP (127.0.0.1, the default, is unreachable from
  // other pods).
  const argv = [
    ...workerArgv(k.workerCommand, c, w, tlsPaths, schedulerAddress),
    "--host",
    `$(${podIpVar})`,
  ];
  const n = objectNames(c.name);
  return pod(
    k,
    c,
    workerPodName(c.name, w.name),
    labels(k, c, "worker", w.name),
    argv,
    env(c, launch, n.secret),
    resources(c.config.worker_cores, c.config.worker_memory),
    owner,
  );
}
