import { CoreV1Api } from "@kubernetes/client-node";
import type { V1Pod } from "@kubernetes/client-node";
import type { ClusterRecord, WorkerRecord } from "../../cluster-record.ts";
import { BackendStartError } from "../../errors.ts";
import type { Backend, Checkpoint, LaunchEnv } from "../backend.ts";
import { requireSchedulerAddress } from "../cluster-commands.ts";
import type { KubernetesCall } from "./errors.ts";
import { KubernetesApiError, PodsRemainError, statusOf } from "./errors.ts";
import type { KubernetesBackendConfig, ResolvedKubernetesConfig } from "./kubernetes-options.ts";
import { resolveKubernetesConfig } from "./kubernetes-options.ts";
import {
  clusterNameAnnotation,
  dns,
  Labels,
  objectNames,
  ownedBy,
  schedulerPodManifest,
  secretManifest,
  serviceManifest,
  workerPodManifest,
  workerPodName,
} from "./pod-manifests.ts";
import { podFailure, podSummary } from "./pod-status.ts";
import { PodWatch } from "./pod-watch.ts";

const logTailLines = 5000;
const logTailBytes = 256 * 1024;
const retainedClusters = 200;

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * Runs each cluster's scheduler as a pod with a service in front, and each worker as a pod
 * owned by the scheduler pod, so deleting the scheduler pod removes its workers. The
 * cluster's certificate, key and API token live in a secret mounted into every pod.
 * Liveness and failure reasons (ErrImagePull, OOMKilled, exit codes) come from a pod watch;
 * logs come from the pod log endpoint and are kept in memory after a stop deletes the pods.
 */
export class KubernetesBackend implements Backend {
  onProcessExit?: (clusterName: string) => void;
  readonly #k: ResolvedKubernetesConfig;
  readonly #api: CoreV1Api;
  readonly #watch: PodWatch;
  /** cluster -> pod -> log tail, for pods a stop or a failure took away. */
  readonly #retained = new Map<string, Map<string, string>>();

  constructor(config: KubernetesBackendConfig | ResolvedKubernetesConfig = {}) {
    this.#k = "kubeConfig" in config ? config : resolveKubernetesConfig(config);
    this.#api = this.#k.kubeConfig.makeApiClient(CoreV1Api);
    const selector = `${Labels.gateway}=${this.#k.gatewayId}`;
    this.#watch = new PodWatch(this.#k.kubeConfig, this.#api, selector, (pod, before, deleted) =>
      this.#podChanged(pod, before, deleted),
    );
  }

  #podChanged(pod: V1Pod, before: V1Pod | undefined, deleted: boolean): void {
    const cluster = pod.metadata?.annotations?.[clusterNameAnnotation];
    if (!cluster) return;
    const failed = !!podFailure(pod) && !(before && podFailure(before));
    if (failed && pod.metadata?.namespace && pod.metadata.name)
      void this.#retainLog(cluster, pod.metadata.namespace, pod.metadata.name);
    if (failed || (deleted && !(before && podFailure(before)))) this.onProcessExit?.(cluster);
  }

  #namespace(c: ClusterRecord, state: Checkpoint = c.state): string {
    return str(state.namespace) ?? str(c.options.namespace) ?? this.#k.namespace;
  }

  async #call<T>(
    call: KubernetesCall,
    f: () => Promise<T>,
    ok: number[] = [],
  ): Promise<T | undefined> {
    try {
      return await f();
    } catch (e) {
      if (ok.includes(statusOf(e) ?? 0)) return undefined;
      throw new KubernetesApiError(call, e);
    }
  }

  async #ready(namespace: string): Promise<void> {
    await this.#call(
      { verb: "watch", kind: "pods", name: `-l ${Labels.gateway}=${this.#k.gatewayId}`, namespace },
      () => this.#watch.ready(namespace),
    );
  }

  /** Creates a pod, or reads it when a previous attempt already created it; the cache learns it at once. */
  async #createPod(namespace: string, body: V1Pod): Promise<V1Pod> {
    const name = body.metadata!.name!;
    const call = { verb: "create", kind: "pod", name, namespace };
    const created = await this.#call(
      call,
      () => this.#api.createNamespacedPod({ namespace, body }),
      [409],
    );
    const pod =
      created ??
      (await this.#call({ ...call, verb: "get" }, () =>
        this.#api.readNamespacedPod({ name, namespace }),
      ))!;
    this.#watch.seed(namespace, pod);
    return pod;
  }

  async *startCluster(c: ClusterRecord, launch: LaunchEnv): AsyncGenerator<Checkpoint, void, void> {
    const namespace = this.#namespace(c, {});
    const n = objectNames(c.name);
    await this.#ready(namespace);
    const secret = secretManifest(this.#k, c);
    await this.#call(
      { verb: "create", kind: "secret", name: n.secret, namespace },
      () => this.#api.createNamespacedSecret({ namespace, body: secret }),
      [409],
    );
    yield { namespace, secret: n.secret };
    const pod = await this.#createPod(namespace, schedulerPodManifest(this.#k, c, launch.env));
    const uid = pod.metadata?.uid;
    if (!uid)
      throw new BackendStartError(
        `the API server returned scheduler pod ${n.scheduler} of cluster ${c.name} without a uid; check the API server`,
      );
    yield { namespace, secret: n.secret, pod: n.scheduler, uid };
    const service = serviceManifest(this.#k, c, ownedBy(n.scheduler, uid));
    await this.#call(
      { verb: "create", kind: "service", name: n.service, namespace },
      () => this.#api.createNamespacedService({ namespace, body: service }),
      [409],
    );
    yield { namespace, secret: n.secret, pod: n.scheduler, uid, service: n.service };
  }

  async stopCluster(c: ClusterRecord, state: Checkpoint): Promise<void> {
    const namespace = this.#namespace(c, state);
    const n = objectNames(c.name);
    await this.#ready(namespace);
    const pods = this.#clusterPods(c, namespace).map((p) => p.metadata!.name!);
    await Promise.all(pods.map((p) => this.#retainLog(c.name, namespace, p)));
    // The scheduler first: its workers go with it (owner references); the rest only in case.
    for (const name of [n.scheduler, ...pods.filter((p) => p !== n.scheduler)])
      await this.#deletePod(namespace, name);
    await this.#call(
      { verb: "delete", kind: "service", name: n.service, namespace },
      () => this.#api.deleteNamespacedService({ name: n.service, namespace }),
      [404],
    );
    await this.#call(
      { verb: "delete", kind: "secret", name: n.secret, namespace },
      () => this.#api.deleteNamespacedSecret({ name: n.secret, namespace }),
      [404],
    );
    const gone = await this.#watch.waitUntil(
      () => this.#clusterPods(c, namespace).length === 0,
      this.#stopWaitMs(),
    );
    if (!gone)
      throw new PodsRemainError(
        c.name,
        namespace,
        this.#clusterPods(c, namespace).map((p) => p.metadata!.name!),
      );
  }

  async checkClusters(clusters: ClusterRecord[]): Promise<boolean[]> {
    return Promise.all(clusters.map((c) => this.#alive(c.state)));
  }

  async *startWorker(
    c: ClusterRecord,
    w: WorkerRecord,
    launch: LaunchEnv,
  ): AsyncGenerator<Checkpoint, void, void> {
    const namespace = str(c.state.namespace);
    const scheduler = str(c.state.pod);
    const uid = str(c.state.uid);
    if (!namespace || !scheduler || !uid)
      throw new BackendStartError(
        `cluster ${c.name} has no scheduler pod yet; start its scheduler first`,
      );
    const n = objectNames(c.name);
    const address =
      this.#k.workerSchedulerAddress === "service"
        ? `tls://${n.service}.${namespace}.svc:${this.#k.schedulerPort}`
        : requireSchedulerAddress(c);
    await this.#ready(namespace);
    const body = workerPodManifest(this.#k, c, w, address, launch.env, ownedBy(scheduler, uid));
    await this.#createPod(namespace, body);
    yield { namespace, pod: body.metadata!.name! };
  }

  async stopWorker(c: ClusterRecord, w: WorkerRecord, state: Checkpoint): Promise<void> {
    const namespace = this.#namespace(c, state);
    const name = str(state.pod) ?? workerPodName(c.name, w.name);
    await this.#ready(namespace);
    if (this.#watch.get(namespace, name)) await this.#retainLog(c.name, namespace, name);
    await this.#deletePod(namespace, name);
    const gone = await this.#watch.waitUntil(
      () => !this.#watch.get(namespace, name),
      this.#stopWaitMs(),
    );
    if (!gone) throw new PodsRemainError(c.name, namespace, [name]);
  }

  async checkWorkers(_c: ClusterRecord, workers: WorkerRecord[]): Promise<boolean[]> {
    return Promise.all(workers.map((w) => this.#alive(w.state)));
  }

  /**
   * Why the pod of a checkpoint died ("container flowgate OOMKilled, exited with code 137 …",
   * "container flowgate cannot start: ErrImagePull …", "pod deleted"), or undefined while it
   * lives. Named like LocalBackend's so the lifecycle monitor can use either.
   */
  exitCode(state: Checkpoint): string | undefined {
    const namespace = str(state.namespace);
    const name = str(state.pod);
    if (!namespace || !name) return undefined;
    const live = this.#watch.get(namespace, name);
    if (live)
      return (
        podFailure(live) ?? (live.metadata?.deletionTimestamp ? "pod is being deleted" : undefined)
      );
    const gone = this.#watch.deleted(namespace, name);
    return gone ? (podFailure(gone) ?? "pod deleted") : undefined;
  }

  async logs(c: ClusterRecord): Promise<string> {
    const namespace = this.#namespace(c);
    let pods: V1Pod[] = [];
    try {
      await this.#ready(namespace);
      pods = this.#clusterPods(c, namespace);
    } catch (e) {
      return `(cannot list the pods of cluster ${c.name}: ${(e as Error).message})\n`;
    }
    const rank = (name: string) => (name.endsWith("-scheduler") ? 0 : 1);
    const live = await Promise.all(
      pods.map(async (p) => ({
        name: p.metadata!.name!,
        header: podSummary(p),
        text: await this.#readLog(namespace, p.metadata!.name!),
      })),
    );
    const liveNames = new Set(live.map((p) => p.name));
    const kept = [...(this.#retained.get(c.name) ?? new Map<string, string>())]
      .filter(([name]) => !liveNames.has(name))
      .map(([name, text]) => ({ name, header: "deleted", text }));
    const all = [...live, ...kept].sort(
      (a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name),
    );
    return all.map((p) => `==> pod ${p.name} (${p.header}) <==\n${p.text}`).join("\n");
  }

  async close(): Promise<void> {
    await this.#watch.close();
  }

  #alive(state: Checkpoint): Promise<boolean> | boolean {
    const namespace = str(state.namespace);
    const name = str(state.pod);
    if (!namespace || !name) return true; // nothing created yet: the start timeout covers it
    return this.#ready(namespace).then(() => {
      const pod = this.#watch.get(namespace, name);
      return !!pod && !podFailure(pod) && !pod.metadata?.deletionTimestamp;
    });
  }

  #clusterPods(c: ClusterRecord, namespace: string): V1Pod[] {
    return this.#watch
      .select(namespace, Labels.cluster, dns(c.name))
      .filter((p) => p.metadata?.annotations?.[clusterNameAnnotation] === c.name);
  }

  #stopWaitMs(): number {
    return (this.#k.stopGraceSeconds + 15) * 1000;
  }

  async #deletePod(namespace: string, name: string): Promise<void> {
    const gracePeriodSeconds = this.#k.stopGraceSeconds;
    await this.#call(
      { verb: "delete", kind: "pod", name, namespace },
      () =>
        this.#api.deleteNamespacedPod({
          name,
          namespace,
          gracePeriodSeconds,
          propagationPolicy: "Background",
        }),
      [404],
    );
  }

  async #readLog(namespace: string, name: string): Promise<string> {
    try {
      const text = await this.#api.readNamespacedPodLog({
        name,
        namespace,
        container: "flowgate",
        tailLines: logTailLines,
      });
      return text.length > logTailBytes ? text.slice(-logTailBytes) : text;
    } catch (e) {
      return `(no log: ${new KubernetesApiError({ verb: "get log of", kind: "pod", name, namespace }, e).message})\n`;
    }
  }

  async #retainLog(cluster: string, namespace: string, pod: string): Promise<void> {
    const text = await this.#readLog(namespace, pod);
    let m = this.#retained.get(cluster);
    if (!m) {
      m = new Map();
      this.#retained.set(cluster, m);
      if (this.#retained.size > retainedClusters)
        this.#retained.delete(this.#retained.keys().next().value!);
    }
    m.set(pod, text);
  }
}
