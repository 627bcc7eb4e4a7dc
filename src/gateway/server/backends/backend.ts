import type { ClusterRecord, WorkerRecord } from "../cluster-record.ts";

/** JSON-able progress a start hook yields; saved before the hook takes its next step. */
export type Checkpoint = Record<string, unknown>;

/** What a process started by a backend needs besides the cluster's own config. */
export interface LaunchEnv {
  /** FLOWGATE_GATEWAY_API_URL, FLOWGATE_GATEWAY_API_TOKEN, FLOWGATE_CLUSTER_NAME, periods … */
  env: Record<string, string>;
}

/**
 * Where schedulers and workers run. A backend implements hooks, not policy: the reconciler
 * decides when to start, stop and give up; the backend only does one step and reports.
 *
 * Start hooks are async generators: each yielded checkpoint is saved to the store before the
 * next step, and `stopCluster`/`stopWorker` receive the last one (also after a restart, so a
 * stop knows where things stood). Stops must be idempotent and must not throw when the process
 * is already gone.
 */
export interface Backend {
  startCluster(cluster: ClusterRecord, launch: LaunchEnv): AsyncGenerator<Checkpoint, void, void>;
  stopCluster(cluster: ClusterRecord, state: Checkpoint): Promise<void>;
  /** For each cluster, whether its scheduler still lives; order matches the input. */
  checkClusters(clusters: ClusterRecord[]): Promise<boolean[]>;
  startWorker(
    cluster: ClusterRecord,
    worker: WorkerRecord,
    launch: LaunchEnv,
  ): AsyncGenerator<Checkpoint, void, void>;
  stopWorker(cluster: ClusterRecord, worker: WorkerRecord, state: Checkpoint): Promise<void>;
  checkWorkers(cluster: ClusterRecord, workers: WorkerRecord[]): Promise<boolean[]>;
  /** The output of the cluster's processes, scheduler first. */
  logs(cluster: ClusterRecord): Promise<string>;
  /** How the process of a checkpoint ended, when the backend knows ("exit 1" in stop reasons). */
  exitCode?(state: Checkpoint): number | string | undefined;
  /**
   * Refuses a new cluster before it is stored, with a GatewayError the caller sees (e.g. the
   * `local` backend when the user has no Unix account). Absent = every user is admitted.
   */
  admit?(cluster: Pick<ClusterRecord, "user">): void;
  /** Things the operator must know, logged once at start (e.g. an unsafe mode was chosen). */
  readonly warnings?: readonly string[];
  /** Called when a process ends on its own, so the gateway can react before the next check. */
  onProcessExit?: (clusterName: string) => void;
  /** Stops watching; does not stop clusters (the reconciler does that). */
  close(): Promise<void>;
}
