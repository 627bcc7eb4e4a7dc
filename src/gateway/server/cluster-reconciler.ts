import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Backend, Checkpoint } from "./backends/backend.ts";
import type { ClusterRecord, WorkerRecord } from "./cluster-record.ts";
import { isFinal, JobStatus } from "./cluster-record.ts";
import type { ClusterRegistry } from "./cluster-registry.ts";
import type { ResolvedGatewayConfig } from "./gateway-options.ts";
import { WorkQueue } from "./work-queue.ts";

type Key = string; // "c:<cluster>" or "w:<cluster>:<worker>"

async function withDeadline<T>(p: Promise<T>, deadline: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(
      () => reject(new Error(`${what} did not finish within the start timeout`)),
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(t);
  }
}

/**
 * Moves every cluster and worker from its status to its target, one step per visit. REST
 * handlers, heartbeats and the lifecycle monitor only write targets and enqueue; this class
 * alone calls the backend. Steps are idempotent; a step that throws is retried with backoff.
 */
export class ClusterReconciler {
  readonly #queue = new WorkQueue<Key>(100, 30_000);
  #loops: Promise<void>[] = [];

  constructor(
    private readonly reg: ClusterRegistry,
    private readonly backend: Backend,
    private readonly cfg: ResolvedGatewayConfig,
    private readonly log: Logger,
    private readonly apiUrl: () => string,
  ) {}

  start(parallelism = 16): void {
    for (let i = 0; i < parallelism; i++) this.#loops.push(this.#loop());
  }

  async close(): Promise<void> {
    this.#queue.close();
    await Promise.all(this.#loops);
  }

  enqueueCluster(name: string): void {
    this.#queue.put(`c:${name}`);
  }

  enqueueWorker(w: WorkerRecord): void {
    this.#queue.put(`w:${w.cluster}:${w.name}`);
  }

  /** Asks for a cluster to stop; the first reason given is kept. A no-op once stopping. */
  requestStop(
    c: ClusterRecord,
    target: typeof JobStatus.STOPPED | typeof JobStatus.FAILED,
    reason: string,
  ): void {
    if (isFinal(c.status) || c.target !== JobStatus.RUNNING) return;
    this.log.info({ cluster: c.name, reason }, `Stopping cluster ${c.name} (${reason})…`);
    this.reg.update(c, { target, stopReason: reason });
    this.enqueueCluster(c.name);
  }

  /** Records that a worker failed; too many start failures in a row fail the cluster. */
  workerFailed(c: ClusterRecord, w: WorkerRecord, reason: string, duringStart: boolean): void {
    if (isFinal(w.status)) return;
    this.log.warn(
      { cluster: c.name, worker: w.name, reason },
      `Worker ${w.name} of cluster ${c.name} failed: ${reason}`,
    );
    this.reg.updateWorker(w, { target: JobStatus.FAILED });
    this.enqueueWorker(w);
    if (duringStart) {
      const n = c.workerFailures + 1;
      this.reg.update(c, { workerFailures: n });
      if (n >= this.cfg.workerStartFailureLimit) {
        this.requestStop(
          c,
          JobStatus.FAILED,
          `${n} workers failed to start in a row; last: ${reason}`,
        );
        return;
      }
    }
    this.enqueueCluster(c.name);
  }

  /**
   * The variables a cluster's processes get from the gateway. FLOWGATE_ORPHAN_TIMEOUT_MS: how
   * long the scheduler outlives an unreachable gateway (the cluster's lease when shorter).
   */
  launchEnv(c: ClusterRecord): { env: Record<string, string> } {
    const lease = c.leaseTtl === null ? Infinity : c.leaseTtl * 1000;
    return {
      env: {
        FLOWGATE_GATEWAY_API_URL: `${this.apiUrl()}/api`,
        FLOWGATE_GATEWAY_API_TOKEN: c.token,
        FLOWGATE_CLUSTER_NAME: c.name,
        FLOWGATE_HEARTBEAT_PERIOD_MS: String(this.cfg.heartbeatPeriodMs),
        FLOWGATE_ADAPTIVE_PERIOD_MS: String(this.cfg.adaptivePeriodMs),
        FLOWGATE_CONNECT_TIMEOUT_MS: String(this.cfg.workerStartTimeoutMs),
        FLOWGATE_ORPHAN_TIMEOUT_MS: String(Math.min(this.cfg.orphanTimeoutMs, lease)),
      },
    };
  }

  async #loop(): Promise<void> {
    for (;;) {
      const key = await this.#queue.get();
      if (key === undefined) return;
      try {
        if (key.startsWith("c:")) await this.#reconcileCluster(key.slice(2));
        else {
          const [, cluster, worker] = key.split(":");
          await this.#reconcileWorker(cluster!, worker!);
        }
        this.#queue.resetBackoff(key);
      } catch (e) {
        this.log.error({ err: e, key }, `Reconciling ${key} failed; retrying with backoff`);
        this.#queue.putBackoff(key);
      } finally {
        this.#queue.done(key);
      }
    }
  }

  async #reconcileCluster(name: string): Promise<void> {
    const c = this.reg.get(name);
    if (!c || isFinal(c.status)) return;
    if (c.target >= JobStatus.CLOSING) return this.#toStopped(c);
    if (c.status === JobStatus.CREATED) return this.#toSubmitted(c);
    if (c.status === JobStatus.SUBMITTED && c.schedulerAddress) {
      this.reg.update(c, { status: JobStatus.RUNNING, lastHeartbeat: Date.now() });
      this.log.info({ cluster: name }, `Cluster ${name} is running at ${c.schedulerAddress}`);
    }
    if (c.status === JobStatus.RUNNING) this.#scaleWorkers(c);
  }

  async #toSubmitted(c: ClusterRecord): Promise<void> {
    this.log.info({ cluster: c.name }, `Starting cluster ${c.name}…`);
    const deadline = c.startTime + this.cfg.clusterStartTimeoutMs;
    const gen = this.backend.startCluster(c, this.launchEnv(c));
    try {
      for (;;) {
        const r = await withDeadline(
          gen.next(),
          deadline,
          `starting the scheduler of cluster ${c.name}`,
        );
        if (r.done) break;
        this.reg.update(c, { state: r.value });
        if (c.target !== JobStatus.RUNNING) break; // stopped meanwhile: stop gets this checkpoint
      }
    } catch (e) {
      void gen.return(undefined).catch(() => {});
      this.requestStop(c, JobStatus.FAILED, `scheduler failed to start: ${(e as Error).message}`);
      return;
    }
    if (c.target !== JobStatus.RUNNING) return this.enqueueCluster(c.name);
    this.reg.update(c, { status: JobStatus.SUBMITTED, submittedAt: Date.now() });
    this.log.info(
      { cluster: c.name },
      `Started cluster ${c.name}; waiting for its scheduler to connect`,
    );
  }

  async #toStopped(c: ClusterRecord): Promise<void> {
    if (c.status < JobStatus.CLOSING) {
      this.reg.update(c, { status: JobStatus.CLOSING });
      for (const w of this.reg.workers(c.name)) {
        if (isFinal(w.status)) continue;
        if (w.target === JobStatus.RUNNING)
          this.reg.updateWorker(w, { target: JobStatus.STOPPED, closeExpected: true });
        this.enqueueWorker(w);
      }
    }
    if (this.reg.workers(c.name).some((w) => !isFinal(w.status))) return; // a finished worker re-enqueues us
    await this.backend.stopCluster(c, c.state);
    this.reg.update(c, { status: c.target, stopTime: Date.now() });
    this.reg.store.deleteWorkers(c.name);
    this.log.info(
      { cluster: c.name, reason: c.stopReason },
      `Stopped cluster ${c.name} (${c.target === JobStatus.FAILED ? "FAILED" : "STOPPED"}: ${c.stopReason})`,
    );
  }

  /** Creates or stops worker rows until as many are wanted as `count` says. */
  #scaleWorkers(c: ClusterRecord): void {
    const active = this.reg
      .workers(c.name)
      .filter((w) => w.target === JobStatus.RUNNING && !isFinal(w.status));
    const now = Date.now();
    for (let i = active.length; i < c.count; i++) {
      const w: WorkerRecord = {
        name: randomUUID().replaceAll("-", ""),
        cluster: c.name,
        status: JobStatus.CREATED,
        target: JobStatus.RUNNING,
        state: {},
        startTime: now,
        submittedAt: null,
        stopTime: null,
        closeExpected: false,
      };
      this.reg.addWorker(w);
      this.enqueueWorker(w);
    }
    if (active.length > c.count) {
      // Pending workers go first, then those the scheduler is already retiring, then the newest.
      const rank = (w: WorkerRecord) =>
        w.status < JobStatus.RUNNING ? 0 : w.closeExpected ? 1 : 2;
      const victims = active
        .sort((a, b) => rank(a) - rank(b) || b.startTime - a.startTime)
        .slice(0, active.length - c.count);
      for (const w of victims) {
        this.reg.updateWorker(w, { target: JobStatus.STOPPED, closeExpected: true });
        this.enqueueWorker(w);
      }
    }
  }

  async #reconcileWorker(clusterName: string, name: string): Promise<void> {
    const c = this.reg.get(clusterName);
    const w = this.reg.worker(clusterName, name);
    if (!c || !w || isFinal(w.status)) return;
    if (w.target !== JobStatus.RUNNING) {
      if (w.status !== JobStatus.CREATED) await this.backend.stopWorker(c, w, w.state);
      this.reg.updateWorker(w, {
        status: w.target === JobStatus.FAILED ? JobStatus.FAILED : JobStatus.STOPPED,
        stopTime: Date.now(),
      });
      this.enqueueCluster(c.name);
      return;
    }
    if (
      w.status !== JobStatus.CREATED ||
      c.status !== JobStatus.RUNNING ||
      c.target !== JobStatus.RUNNING
    )
      return;
    const deadline = Date.now() + this.cfg.workerStartTimeoutMs;
    const gen = this.backend.startWorker(c, w, this.launchEnv(c));
    try {
      for (;;) {
        const r = await withDeadline(gen.next(), deadline, `starting worker ${w.name}`);
        if (r.done) break;
        this.reg.updateWorker(w, { state: r.value as Checkpoint });
      }
    } catch (e) {
      void gen.return(undefined).catch(() => {});
      this.workerFailed(c, w, `worker failed to start: ${(e as Error).message}`, true);
      return;
    }
    if (w.status === JobStatus.CREATED)
      this.reg.updateWorker(w, { status: JobStatus.SUBMITTED, submittedAt: Date.now() });
    if (w.target !== JobStatus.RUNNING) this.enqueueWorker(w);
  }
}
