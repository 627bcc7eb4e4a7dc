import { makeInformer } from "@kubernetes/client-node";
import type { CoreV1Api, Informer, KubeConfig, V1Pod } from "@kubernetes/client-node";

/** Called for every pod change the watch reports; `before` is the previous state, if any. */
export type PodListener = (pod: V1Pod, before: V1Pod | undefined, deleted: boolean) => void;

interface NamespaceWatch {
  informer: Informer<V1Pod>;
  pods: Map<string, V1Pod>;
  /** Last state of pods deleted since, so a stop reason survives the pod. */
  gone: Map<string, V1Pod>;
  ready: Promise<void>;
  retry?: NodeJS.Timeout;
  stopped: boolean;
}

const retryMs = 1000;
const maxGone = 10_000;
const readyTimeoutMs = 30_000;

/**
 * A cache of this gateway's pods, one list+watch per namespace (client-node's informer:
 * list, then watch from the list's resourceVersion, resumed after a disconnect and re-listed
 * on 410 Gone). Liveness checks read the cache; nothing polls the API server.
 */
export class PodWatch {
  readonly #watches = new Map<string, NamespaceWatch>();
  readonly #waiters = new Set<() => void>();

  constructor(
    private readonly kc: KubeConfig,
    private readonly api: CoreV1Api,
    private readonly labelSelector: string,
    private readonly listener: PodListener,
  ) {}

  /** Starts watching `namespace` if needed; resolves once its pods are listed. Throws when the list fails. */
  ready(namespace: string): Promise<void> {
    let w = this.#watches.get(namespace);
    if (!w) {
      w = this.#start(namespace);
      this.#watches.set(namespace, w);
      const mine = w;
      w.ready.catch(() => {
        if (this.#watches.get(namespace) === mine) this.#watches.delete(namespace);
      });
    }
    return w.ready;
  }

  #start(namespace: string): NamespaceWatch {
    let listError: unknown;
    let listed = false;
    const informer = makeInformer<V1Pod>(
      this.kc,
      `/api/v1/namespaces/${namespace}/pods`,
      async () => {
        try {
          const list = await this.api.listNamespacedPod({
            namespace,
            labelSelector: this.labelSelector,
          });
          listed = true;
          return list;
        } catch (e) {
          listError = e;
          throw e;
        }
      },
      this.labelSelector,
    );
    const w: NamespaceWatch = {
      informer,
      pods: new Map(),
      gone: new Map(),
      ready: Promise.resolve(),
      stopped: false,
    };
    const changed = (pod: V1Pod, deleted: boolean) => {
      const name = pod.metadata?.name;
      if (!name) return;
      const before = w.pods.get(name);
      if (deleted) {
        w.pods.delete(name);
        w.gone.set(name, pod);
        if (w.gone.size > maxGone) w.gone.delete(w.gone.keys().next().value!);
      } else {
        w.pods.set(name, pod);
      }
      this.listener(pod, before, deleted);
      for (const f of [...this.#waiters]) f();
    };
    informer.on("add", (p) => changed(p, false));
    informer.on("update", (p) => changed(p, false));
    informer.on("delete", (p) => changed(p, true));
    informer.on("error", () => {
      if (w.stopped || !listed) return;
      clearTimeout(w.retry);
      w.retry = setTimeout(() => void informer.start().catch(() => {}), retryMs);
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer to list+watch of pods within ${readyTimeoutMs} ms`)),
        readyTimeoutMs,
      );
    });
    const started = informer.start().then(() => {
      if (!listed) throw listError ?? new Error(`cannot list pods in namespace ${namespace}`);
    });
    w.ready = Promise.race([started, timeout]).then(
      () => clearTimeout(timer),
      (e: unknown) => {
        clearTimeout(timer);
        w.stopped = true;
        void informer.stop();
        throw e;
      },
    );
    return w;
  }

  /** A pod as last seen, or undefined when it does not exist (or the namespace is not watched). */
  get(namespace: string, name: string): V1Pod | undefined {
    return this.#watches.get(namespace)?.pods.get(name);
  }

  /** The last state of a pod that was deleted, if the watch saw it go. */
  deleted(namespace: string, name: string): V1Pod | undefined {
    return this.#watches.get(namespace)?.gone.get(name);
  }

  /** Pods in `namespace` whose label `key` is `value`. */
  select(namespace: string, key: string, value: string): V1Pod[] {
    const pods = this.#watches.get(namespace)?.pods.values() ?? [];
    return [...pods].filter((p) => p.metadata?.labels?.[key] === value);
  }

  /** Records a pod we just created, unless the watch already reported it (its state is newer). */
  seed(namespace: string, pod: V1Pod): void {
    const w = this.#watches.get(namespace);
    const name = pod.metadata?.name;
    if (w && name && !w.pods.has(name) && w.gone.get(name)?.metadata?.uid !== pod.metadata?.uid) {
      w.gone.delete(name);
      w.pods.set(name, pod);
    }
  }

  /** Resolves true once `done()` holds (checked after every change), false after `ms`. */
  waitUntil(done: () => boolean, ms: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        finish(true);
      };
      const finish = (ok: boolean) => {
        clearTimeout(t);
        this.#waiters.delete(check);
        resolve(ok);
      };
      const t = setTimeout(() => finish(done()), ms);
      this.#waiters.add(check);
    });
  }

  /** Stops every watch. */
  async close(): Promise<void> {
    for (const w of this.#watches.values()) {
      w.stopped = true;
      clearTimeout(w.retry);
      await w.informer.stop();
    }
    this.#watches.clear();
    for (const f of [...this.#waiters]) f();
  }
}
