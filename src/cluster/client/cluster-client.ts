import type { ClusterSecurity } from "../security.ts";
import type { ClientToScheduler, SchedulerToClient } from "../messages.ts";
import { dial } from "../wire/dial.ts";
import { connectInProcess, type MessageLink } from "../wire/message-link.ts";

/** A scheduler's message about one submitted run (every one that carries the run's `ref`). */
export type RunMessage = Extract<SchedulerToClient, { readonly ref: number }>;

/** What a client submits, besides the `t` and the `ref` the client chooses. */
export type Submission = Omit<Extract<ClientToScheduler, { t: "submit" }>, "t" | "ref">;

/** Events of one submitted run, as the scheduler reports them. */
export interface RunListener {
  onMessage(m: RunMessage): void;
  onLost(reason: string): void;
}

type ClientConnection = MessageLink<SchedulerToClient, ClientToScheduler>;

/**
 * A client's connection to a scheduler: ships bundles once per hash, submits runs and routes the
 * scheduler's messages about each run to its listener.
 */
export class ClusterClient {
  private readonly listeners = new Map<number, RunListener>();
  private readonly bundleAnswers = new Map<string, (has: boolean) => void>();
  private readonly shipped = new Set<string>();
  private nextRef = 1;

  private constructor(
    readonly address: string,
    private readonly conn: ClientConnection,
  ) {
    conn.onMessage = (m) => {
      if (m.t === "bundle-status") this.bundleAnswers.get(m.hash)?.(m.has);
      else if ("ref" in m) this.listeners.get(m.ref)?.onMessage(m);
    };
    conn.onClose = (reason) => {
      for (const l of this.listeners.values()) l.onLost(reason);
      this.listeners.clear();
    };
  }

  /**
   * Connects and handshakes; rejects with ClusterConnectError (for example when the certificate
   * is refused). A scheduler in this process (a LocalCluster's) is reached in memory.
   */
  static async connect(
    address: string,
    security: ClusterSecurity | undefined,
    timeoutMs = 30_000,
  ): Promise<ClusterClient> {
    const conn: ClientConnection =
      connectInProcess<SchedulerToClient, ClientToScheduler>(address, security) ??
      (await dial<SchedulerToClient, ClientToScheduler>(address, security, timeoutMs));
    const hello = new Promise<void>((resolve, reject) => {
      conn.onMessage = (m) => m.t === "hello" && resolve();
      conn.onClose = (r) => reject(new Error(r));
    });
    conn.send({ t: "hello-client" });
    await hello;
    return new ClusterClient(address, conn);
  }

  get closed(): boolean {
    return this.conn.closed;
  }

  /** Whether shipBundle has made sure the scheduler has this bundle. */
  hasBundle(hash: string): boolean {
    return this.shipped.has(hash);
  }

  /** Makes sure the scheduler has the bundle: asks by hash, sends the code only when missing. */
  async shipBundle(hash: string, code: Buffer): Promise<void> {
    if (this.shipped.has(hash)) return;
    const has = await new Promise<boolean>((resolve) => {
      this.bundleAnswers.set(hash, resolve);
      this.conn.send({ t: "has-bundle", hash });
    });
    this.bundleAnswers.delete(hash);
    if (!has) this.conn.send({ t: "put-bundle", hash, code });
    this.shipped.add(hash);
  }

  /**
   * Submits a run, written at once (what the caller does next overlaps with the scheduler's
   * wake-up); the scheduler's messages about it go to `listener`. Returns its ref.
   */
  submit(fields: Submission, listener: RunListener): number {
    const ref = this.nextRef++;
    this.listeners.set(ref, listener);
    this.conn.send({ t: "submit", ref, ...fields });
    this.conn.flush();
    return ref;
  }

  cancel(ref: number): void {
    this.conn.send({ t: "cancel", ref });
  }

  done(ref: number): void {
    this.listeners.delete(ref);
  }

  close(): void {
    this.conn.close("client closing");
  }
}
