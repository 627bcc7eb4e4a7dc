import type { ClusterRecord, WorkerRecord } from "./cluster-record.ts";
import { daskClusterModel, extendedClusterModel } from "./cluster-model.ts";
import { isFinal, JobStatus } from "./cluster-record.ts";
import type { ClusterStore } from "./cluster-store.ts";

/**
 * The gateway's in-memory view of every cluster and worker, written through to the store
 * (store first, then memory). Keeps each cluster's model JSON cached until the record changes,
 * so listing a thousand clusters is string concatenation, and wakes long polls on change.
 */
export class ClusterRegistry {
  readonly clusters = new Map<string, ClusterRecord>();
  readonly #workers = new Map<string, Map<string, WorkerRecord>>();
  readonly #json = new Map<string, { version: number; json: string }>();
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #byUser = new Map<string, Set<ClusterRecord>>();
  readonly #lists = new Map<string, { generation: number; body: Buffer }>();
  /** Bumped on every change of any record: cached list bodies are valid for one generation. */
  #generation = 0;

  /**
   * Called by `add` before anything is stored; throws to refuse the cluster (the backend's
   * `admit`, so an unknown Unix user gets a 4xx instead of a FAILED cluster).
   */
  admit: (c: ClusterRecord) => void = () => {};

  constructor(readonly store: ClusterStore) {}

  /** Loads every row from the store (at start-up). */
  load(): void {
    for (const c of this.store.loadClusters()) this.#index(c);
    for (const w of this.store.loadWorkers()) this.#workerMap(w.cluster).set(w.name, w);
  }

  get(name: string): ClusterRecord | undefined {
    return this.clusters.get(name);
  }

  add(c: ClusterRecord): void {
    this.admit(c);
    this.store.saveCluster(c);
    this.#index(c);
    this.#generation++;
  }

  #index(c: ClusterRecord): void {
    this.clusters.set(c.name, c);
    let set = this.#byUser.get(c.user);
    if (!set) this.#byUser.set(c.user, (set = new Set()));
    set.add(c);
  }

  /** The clusters `user` may see: their own, or all for an admin. */
  visibleTo(user: string, admin: boolean): Iterable<ClusterRecord> {
    return admin ? this.clusters.values() : (this.#byUser.get(user) ?? []);
  }

  /**
   * A list response body, built by `build` and cached until any record changes (listing is the
   * hottest read: dashboards and clients poll it).
   */
  cachedList(key: string, build: () => string): Buffer {
    const hit = this.#lists.get(key);
    if (hit && hit.generation === this.#generation) return hit.body;
    const body = Buffer.from(build());
    if (this.#lists.size > 256) this.#lists.clear();
    this.#lists.set(key, { generation: this.#generation, body });
    return body;
  }

  /** Applies a patch, persists it and wakes anyone waiting on the cluster. */
  update(c: ClusterRecord, patch: Partial<ClusterRecord>): void {
    const next = { ...c, ...patch, version: c.version + 1 };
    this.store.saveCluster(next);
    Object.assign(c, next);
    this.#generation++;
    const ws = this.#waiters.get(c.name);
    if (ws) for (const w of ws) w();
  }

  #workerMap(cluster: string): Map<string, WorkerRecord> {
    let m = this.#workers.get(cluster);
    if (!m) this.#workers.set(cluster, (m = new Map()));
    return m;
  }

  workers(cluster: string): WorkerRecord[] {
    return [...(this.#workers.get(cluster)?.values() ?? [])];
  }

  worker(cluster: string, name: string): WorkerRecord | undefined {
    return this.#workers.get(cluster)?.get(name);
  }

  addWorker(w: WorkerRecord): void {
    this.store.saveWorker(w);
    this.#workerMap(w.cluster).set(w.name, w);
    this.#bump(w.cluster);
  }

  updateWorker(w: WorkerRecord, patch: Partial<WorkerRecord>): void {
    const next = { ...w, ...patch };
    this.store.saveWorker(next);
    Object.assign(w, next);
    this.#bump(w.cluster);
  }

  /** Worker counts appear in the model, so a worker change invalidates the cluster's JSON. */
  #bump(cluster: string): void {
    const c = this.clusters.get(cluster);
    if (c) c.version++;
    this.#generation++;
  }

  /**
   * The cluster's model as a JSON string, cached per record version: Dask Gateway's keys, or
   * with flowgate's extensions when `extended`.
   */
  modelJson(c: ClusterRecord, extended = false): string {
    const key = extended ? `+${c.name}` : c.name;
    const hit = this.#json.get(key);
    if (hit && hit.version === c.version) return hit.json;
    const model = extended
      ? extendedClusterModel(c, this.#workers.get(c.name)?.values() ?? [])
      : daskClusterModel(c);
    const json = JSON.stringify(model);
    this.#json.set(key, { version: c.version, json });
    return json;
  }

  /** Resolves after the cluster changes or `ms` pass. */
  waitForChange(name: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.#waiters.get(name);
      if (!set) this.#waiters.set(name, (set = new Set()));
      const done = () => {
        clearTimeout(t);
        set.delete(done);
        if (set.size === 0) this.#waiters.delete(name);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const t = setTimeout(done, ms);
      set.add(done);
      signal?.addEventListener("abort", done);
    });
  }

  /** The user's clusters that are not finished (for quotas). */
  activeOf(user: string): ClusterRecord[] {
    const out: ClusterRecord[] = [];
    for (const c of this.#byUser.get(user) ?? [])
      if (!isFinal(c.status) && c.target === JobStatus.RUNNING) out.push(c);
    return out;
  }
}
