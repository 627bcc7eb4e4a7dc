import { chmodSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ClusterRecord, WorkerRecord } from "../cluster-record.ts";
import { BackendStartError, NoUnixAccountError } from "../errors.ts";
import type { Backend, Checkpoint, LaunchEnv } from "./backend.ts";
import { schedulerArgv, workerArgv } from "./cluster-commands.ts";
import { ClusterFolders, joinLogs } from "./cluster-folders.ts";
import { localProcessEnv } from "./local-env.ts";
import { WarmPool } from "./warm-pool.ts";
import {
  exitCodeOf,
  isAlive,
  spawnLogged,
  startTimeOf,
  terminate,
  type RunAs,
} from "./local-process.ts";
import { gatewayAccount, isRoot, lookupAccount, type UnixAccount } from "./unix-account.ts";

const pstartOf = (s: Checkpoint) => (typeof s.pstart === "number" ? s.pstart : undefined);

/**
 * `per-user`: each user's clusters run as the Unix account of the same name (the `local`
 * backend); `single-account`: every cluster runs as the gateway's account (`unsafe-local`).
 */
export type LocalMode = "per-user" | "single-account";

/** Settings of LocalBackend. */
export interface LocalBackendSettings {
  mode: LocalMode;
  dataDir: string;
  schedulerCommand: string[];
  workerCommand: string[];
  stopGraceMs: number;
  /** Idle Node processes kept ready per command (0 = start every process cold). */
  warmProcesses: number;
}

/**
 * Runs each cluster's scheduler and workers as child processes of the gateway's host, in a
 * per-cluster directory holding its certificate files (0600) and its logs. Processes are
 * detached and write straight to their log files, so they survive a gateway crash and the
 * next gateway adopts them from the checkpoints (`pid`). They get a clean environment (see
 * localProcessEnv); in `per-user` mode they, their folder and files belong to the user's account.
 */
export class LocalBackend implements Backend {
  onProcessExit?: (clusterName: string) => void;
  readonly warnings: string[] = [];
  readonly #pool: WarmPool;
  readonly #folders: ClusterFolders;
  readonly #self = gatewayAccount();
  /**
   * getent answers, for 30 s (5 s when there was no account, so a new account is soon seen),
   * so creates and worker starts do not each fork a lookup.
   */
  readonly #accounts = new Map<string, { account: UnixAccount | undefined; at: number }>();

  constructor(private readonly s: LocalBackendSettings) {
    this.#folders = new ClusterFolders(s.dataDir);
    if (s.mode === "single-account")
      this.warnings.push(
        "Backend \"unsafe-local\": every cluster runs as the gateway's own Unix account, so one user's tasks can read other users' clusters and the gateway's files; use it only on a single-user machine, and \"local\" (the gateway as root) for several users",
      );
    else if (isRoot()) this.#openFolders();
    else
      this.warnings.push(
        `Backend "local" without root: clusters run as the user's own Unix account, so only ${JSON.stringify(this.#self.name)} (this gateway's account) can start clusters; run the gateway as root to serve several users`,
      );
    this.#pool = new WarmPool(s.dataDir, s.warmProcesses, localProcessEnv(this.#self));
    this.#pool.prewarm(s.schedulerCommand);
    this.#pool.prewarm(s.workerCommand);
  }

  /** Lets each account pass through the data folder to the cluster folder it owns (0711). */
  #openFolders(): void {
    const clusters = join(this.s.dataDir, "clusters");
    mkdirSync(clusters, { recursive: true, mode: 0o711 });
    chmodSync(this.s.dataDir, 0o711);
    chmodSync(clusters, 0o711);
    for (let d = dirname(this.s.dataDir); d !== dirname(d); d = dirname(d)) {
      if ((statSync(d).mode & 0o001) === 0) {
        this.warnings.push(
          `Backend "local": the folder ${d} above the data folder is not searchable by other accounts, so users' cluster processes cannot reach their folders; make it 0711 or choose another stateDir`,
        );
        break;
      }
    }
  }

  /**
   * The account `user`'s clusters run as. Throws NoUnixAccountError (403) when there is none,
   * it is root, or the gateway is not root and it is not the gateway's own account.
   */
  account(user: string): UnixAccount {
    if (this.s.mode === "single-account") return this.#self;
    const hit = this.#accounts.get(user);
    const a =
      hit && Date.now() - hit.at < (hit.account ? 30_000 : 5000)
        ? hit.account
        : this.#cacheAccount(user, lookupAccount(user));
    if (!a) throw new NoUnixAccountError(user, "there is no Unix account of that name");
    if (a.uid === 0) throw new NoUnixAccountError(user, "clusters are never run as root (uid 0)");
    if (!isRoot() && a.uid !== this.#self.uid)
      throw new NoUnixAccountError(
        user,
        `the gateway does not run as root, so it can run clusters only as its own account ${JSON.stringify(this.#self.name)}`,
      );
    return a;
  }

  /** Refuses a new cluster whose user the backend cannot run processes as. */
  admit(c: Pick<ClusterRecord, "user">): void {
    this.account(c.user);
  }

  #cacheAccount(user: string, account: UnixAccount | undefined): UnixAccount | undefined {
    if (this.#accounts.size > 1000) this.#accounts.clear();
    this.#accounts.set(user, { account, at: Date.now() });
    return account;
  }

  #runAs(a: UnixAccount): RunAs | undefined {
    return a.uid === this.#self.uid && a.gid === this.#self.gid
      ? undefined
      : { uid: a.uid, gid: a.gid };
  }

  /**
   * Starts argv in a warm spare when one fits, else as a fresh detached process; `what` names
   * the process in the error when it cannot start.
   */
  #spawn(
    argv: string[],
    c: ClusterRecord,
    launch: LaunchEnv,
    log: string,
    what: string,
  ): Checkpoint {
    const dir = this.#folders.dir(c.name);
    const onExit = () => this.onProcessExit?.(c.name);
    let pid: number;
    try {
      const account = this.account(c.user);
      const env = localProcessEnv(account, c, launch.env);
      const runAs = this.#runAs(account);
      pid =
        this.#pool.take(argv, env, dir, log, onExit, runAs) ??
        spawnLogged(argv, env, dir, log, onExit, runAs);
    } catch (e) {
      throw new BackendStartError(`cannot start ${what}: ${(e as Error).message}`, { cause: e });
    }
    return { pid, pstart: startTimeOf(pid) };
  }

  async *startCluster(c: ClusterRecord, launch: LaunchEnv): AsyncGenerator<Checkpoint, void, void> {
    const dir = this.#folders.dir(c.name);
    const tls = await this.#folders.writeTlsFiles(c, this.#runAs(this.account(c.user)));
    yield { dir };
    const listen = { host: "127.0.0.1", port: 0, dashboardPort: 0 };
    const argv = schedulerArgv(this.s.schedulerCommand, listen, tls);
    const what = `the scheduler of cluster ${c.name} with ${JSON.stringify(argv[0])}`;
    yield { dir, ...this.#spawn(argv, c, launch, join(dir, "scheduler.log"), what) };
  }

  async stopCluster(c: ClusterRecord, state: Checkpoint): Promise<void> {
    if (typeof state.pid === "number")
      await terminate(state.pid, c.name, this.s.stopGraceMs, pstartOf(state));
    await this.#folders.removeTlsFiles(c.name);
  }

  async checkClusters(clusters: ClusterRecord[]): Promise<boolean[]> {
    return clusters.map(
      (c) => typeof c.state.pid !== "number" || isAlive(c.state.pid, c.name, pstartOf(c.state)),
    );
  }

  async *startWorker(
    c: ClusterRecord,
    w: WorkerRecord,
    launch: LaunchEnv,
  ): AsyncGenerator<Checkpoint, void, void> {
    const argv = workerArgv(this.s.workerCommand, c, w, this.#folders.tlsPaths(c.name));
    const dir = this.#folders.dir(c.name);
    // Flow bundles go to the cluster's own folder: the shared cache is not the user's to write.
    if (this.s.mode === "per-user") argv.push("--bundle-dir", join(dir, "bundles"));
    const log = join(dir, `worker-${w.name}.log`);
    yield this.#spawn(argv, c, launch, log, `worker ${w.name} of cluster ${c.name}`);
  }

  async stopWorker(c: ClusterRecord, _w: WorkerRecord, state: Checkpoint): Promise<void> {
    if (typeof state.pid === "number")
      await terminate(state.pid, c.name, this.s.stopGraceMs, pstartOf(state));
  }

  async checkWorkers(c: ClusterRecord, workers: WorkerRecord[]): Promise<boolean[]> {
    return workers.map(
      (w) => typeof w.state.pid !== "number" || isAlive(w.state.pid, c.name, pstartOf(w.state)),
    );
  }

  /** Exit code of a process of ours, for stop reasons ("exited with code 1"). */
  exitCode(state: Checkpoint): number | string | undefined {
    return typeof state.pid === "number" ? exitCodeOf(state.pid) : undefined;
  }

  async logs(c: ClusterRecord): Promise<string> {
    return joinLogs(await this.#folders.readLogs(c.name));
  }

  async close(): Promise<void> {
    this.#pool.close();
  }
}
