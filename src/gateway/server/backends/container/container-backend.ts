import type { ClusterRecord, WorkerRecord } from "../../cluster-record.ts";
import { BackendStartError } from "../../errors.ts";
import type { Backend, Checkpoint, LaunchEnv } from "../backend.ts";
import { clusterProcessEnv, schedulerArgv, workerArgv } from "../cluster-commands.ts";
import { ClusterFolders, joinLogs } from "../cluster-folders.ts";
import { ContainerEngineError } from "./errors.ts";
import type { ContainerBackendSettings } from "./container-options.ts";
import {
  containerSpec,
  describeContainerEnd,
  Label,
  logFile,
  tlsArchive,
  tlsFiles,
  type ProcessSpec,
} from "./container-spec.ts";
import { EngineClient, type ContainerSummary } from "./engine-client.ts";

const liveStates = new Set(["running", "restarting", "paused"]);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * Runs each cluster's scheduler and every worker as a container from the cluster's `image`
 * option (or the configured default) through the Docker Engine API: CPU and memory limits
 * from the cluster's config, host networking, the certificate copied into the container
 * before it starts, and labels `flowgate.cluster`, `flowgate.role` (scheduler|worker) and
 * `flowgate.worker` by which every container of a cluster is found, checked and removed.
 * A stop keeps the container's output under `dataDir` before removing it.
 */
export class ContainerBackend implements Backend {
  onProcessExit?: (clusterName: string) => void;
  readonly engine: EngineClient;
  /** Why containers ended, by container id. */
  readonly #ended = new Map<string, string | 0>();
  /** Output of removed containers, kept per cluster. */
  readonly #folders: ClusterFolders;

  constructor(private readonly s: ContainerBackendSettings) {
    this.engine = new EngineClient(s.socketPath, s.apiVersion);
    this.#folders = new ClusterFolders(s.dataDir);
  }

  async *startCluster(c: ClusterRecord, launch: LaunchEnv): AsyncGenerator<Checkpoint, void, void> {
    const name = `flowgate-${c.name}-scheduler`;
    const listen = { host: this.s.schedulerHost, port: 0, dashboardPort: 0 };
    const argv = schedulerArgv(this.s.schedulerCommand, listen, tlsFiles);
    const spec = this.#spec(c, launch, argv, "scheduler");
    const what = `the scheduler of cluster ${c.name}`;
    const id = await this.#create(
      name,
      { ...spec, cores: c.config.scheduler_cores, memGiB: c.config.scheduler_memory },
      what,
    );
    yield { containerId: id, name };
    await this.#start(c, id, what);
    yield { containerId: id, name, started: true };
  }

  async stopCluster(c: ClusterRecord, state: Checkpoint): Promise<void> {
    // Every container labelled with the cluster, so that no worker is left behind.
    const found = await this.engine.list([`${Label.cluster}=${c.name}`]);
    const own = str(state.containerId);
    if (own && !found.some((f) => f.Id === own)) {
      found.push({ Id: own, State: "unknown", Labels: { [Label.role]: "scheduler" } });
    }
    await Promise.all(found.map((f) => this.#stopAndRemove(c.name, f.Id, logFile(f.Labels ?? {}))));
  }

  async checkClusters(clusters: ClusterRecord[]): Promise<boolean[]> {
    const ids = clusters.map((c) => str(c.state.containerId));
    if (!ids.some(Boolean)) return ids.map(() => true);
    return this.#alive(ids, await this.engine.list([`${Label.role}=scheduler`]));
  }

  async *startWorker(
    c: ClusterRecord,
    w: WorkerRecord,
    launch: LaunchEnv,
  ): AsyncGenerator<Checkpoint, void, void> {
    const argv = workerArgv(this.s.workerCommand, c, w, tlsFiles);
    const name = `flowgate-${c.name}-worker-${w.name}`;
    const cfg = c.config;
    const spec = this.#spec(c, launch, argv, "worker", w.name);
    const what = `worker ${w.name} of cluster ${c.name}`;
    const id = await this.#create(
      name,
      { ...spec, cores: cfg.worker_cores, memGiB: cfg.worker_memory },
      what,
    );
    yield { containerId: id, name };
    await this.#start(c, id, what);
    yield { containerId: id, name, started: true };
  }

  async stopWorker(c: ClusterRecord, w: WorkerRecord, state: Checkpoint): Promise<void> {
    const id = str(state.containerId);
    if (id) await this.#stopAndRemove(c.name, id, `worker-${w.name}.log`);
  }

  async checkWorkers(c: ClusterRecord, workers: WorkerRecord[]): Promise<boolean[]> {
    const ids = workers.map((w) => str(w.state.containerId));
    if (!ids.some(Boolean)) return ids.map(() => true);
    return this.#alive(
      ids,
      await this.engine.list([`${Label.cluster}=${c.name}`, `${Label.role}=worker`]),
    );
  }

  /** Why a container of ours ended (for stop reasons), or 0 for exit code 0; known once a check saw it end. */
  exitCode(state: Checkpoint): number | string | undefined {
    const id = str(state.containerId);
    return id ? this.#ended.get(id) : undefined;
  }

  /** Containers of one cluster, or of every flowgate cluster on the engine (for leak checks and clean-up). */
  listContainers(clusterName?: string): Promise<ContainerSummary[]> {
    return this.engine.list(clusterName ? [`${Label.cluster}=${clusterName}`] : [Label.cluster]);
  }

  /** Output of removed containers (kept at stop), then of the cluster's live ones; scheduler first. */
  async logs(c: ClusterRecord): Promise<string> {
    const texts = await this.#folders.readLogs(c.name);
    for (const f of await this.engine.list([`${Label.cluster}=${c.name}`])) {
      texts.set(logFile(f.Labels ?? {}), await this.engine.logs(f.Id));
    }
    return joinLogs(texts);
  }

  async close(): Promise<void> {}

  #spec(c: ClusterRecord, launch: LaunchEnv, argv: string[], role: string, worker?: string) {
    const labels: Record<string, string> = { [Label.cluster]: c.name, [Label.role]: role };
    if (worker) labels[Label.worker] = worker;
    const env = clusterProcessEnv(c, launch.env);
    return { image: c.config.image ?? this.s.image, argv, env, labels };
  }

  async #create(name: string, p: ProcessSpec, what: string): Promise<string> {
    const spec = containerSpec(this.s, p);
    await this.engine.remove(name); // left over from an attempt before a gateway restart
    try {
      return await this.engine.create(name, spec);
    } catch (e) {
      const missing = e instanceof ContainerEngineError && e.engineStatus === 404;
      if (!missing || !this.s.pull) throw startError(what, p.image, e);
    }
    try {
      await this.engine.pull(p.image);
      return await this.engine.create(name, spec);
    } catch (e) {
      throw startError(
        what,
        p.image,
        e,
        `image ${JSON.stringify(p.image)} is not on the engine and pulling it failed: `,
      );
    }
  }

  /** Copies the certificate in and starts; on failure removes the container (the reconciler does not stop a worker that never started). */
  async #start(c: ClusterRecord, id: string, what: string): Promise<void> {
    try {
      await this.engine.putArchive(id, "/", tlsArchive(c));
      await this.engine.start(id);
    } catch (e) {
      await this.engine.remove(id).catch(() => {});
      throw startError(what, c.config.image ?? this.s.image, e);
    }
  }

  async #stopAndRemove(clusterName: string, id: string, file: string): Promise<void> {
    await this.engine.stop(id, this.s.stopGraceSeconds);
    const text = await this.engine.logs(id);
    if (text) await this.#folders.writeLog(clusterName, file, text);
    await this.engine.remove(id);
  }

  async #alive(ids: (string | undefined)[], found: ContainerSummary[]): Promise<boolean[]> {
    const byId = new Map(found.map((f) => [f.Id, f]));
    const alive = ids.map((id) => !id || liveStates.has(byId.get(id)?.State ?? ""));
    const ended = ids.filter((id, i): id is string => !!id && !alive[i] && !this.#ended.has(id));
    await Promise.all(
      ended.map(async (id) => {
        const name = byId.get(id)?.Names?.[0]?.replace(/^\//, "") ?? id.slice(0, 12);
        this.#ended.set(id, describeContainerEnd(name, await this.engine.inspect(id)));
      }),
    );
    return alive;
  }
}

function startError(what: string, image: string, e: unknown, prefix = ""): BackendStartError {
  const msg = e instanceof ContainerEngineError ? e.engineMessage : (e as Error).message;
  return new BackendStartError(
    `cannot start ${what} from image ${JSON.stringify(image)}: ${prefix}${msg}`,
    {
      cause: e,
    },
  );
}
