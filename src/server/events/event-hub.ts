import { randomUUID } from "node:crypto";
import type { SqlDriver } from "../store/sql-driver.ts";

type Listener = (runId: number) => void;

const runsChannel = "flowgate_runs";
const readyChannel = "flowgate_ready";

/**
 * Tells this process's listeners (SSE streams, long-polling agents) that a run changed or that
 * runs became ready, and — through the database's notify — every other server process sharing
 * it. Changes are coalesced for a few ms so a burst costs one notify.
 */
export class EventHub {
  readonly #origin = randomUUID().slice(0, 8);
  readonly #byRun = new Map<number, Set<Listener>>();
  readonly #all = new Set<Listener>();
  readonly #ready = new Set<() => void>();
  #pending = new Set<number>();
  #readyPending = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly db: SqlDriver) {}

  /** Subscribes to the database's notifications (call once at start). */
  async start(): Promise<void> {
    if (this.db.dialect !== "postgres") return;
    await this.db.listen(runsChannel, (p) => {
      const [origin, ids] = p.split(":");
      if (origin === this.#origin || !ids) return;
      for (const id of ids.split(",")) this.#fire(Number(id));
    });
    await this.db.listen(readyChannel, (p) => {
      if (p !== this.#origin) this.#fireReady();
    });
  }

  /** A run changed (state, tasks, logs, cluster, cost). */
  changed(runId: number): void {
    this.#fire(runId);
    if (this.db.dialect === "postgres") {
      this.#pending.add(runId);
      this.#schedule();
    }
  }

  /** Runs may have become claimable (created, a slot freed, a limit raised). */
  ready(): void {
    this.#fireReady();
    if (this.db.dialect === "postgres") {
      this.#readyPending = true;
      this.#schedule();
    }
  }

  onRun(runId: number, fn: Listener): () => void {
    let set = this.#byRun.get(runId);
    if (!set) this.#byRun.set(runId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.#byRun.delete(runId);
    };
  }

  onAnyRun(fn: Listener): () => void {
    this.#all.add(fn);
    return () => this.#all.delete(fn);
  }

  onReady(fn: () => void): () => void {
    this.#ready.add(fn);
    return () => this.#ready.delete(fn);
  }

  #fire(runId: number): void {
    for (const fn of this.#byRun.get(runId) ?? []) fn(runId);
    for (const fn of this.#all) fn(runId);
  }

  #fireReady(): void {
    for (const fn of [...this.#ready]) fn();
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => void this.#flush(), 5);
  }

  async #flush(): Promise<void> {
    this.#timer = null;
    const ids = [...this.#pending];
    this.#pending = new Set();
    const ready = this.#readyPending;
    this.#readyPending = false;
    try {
      for (let i = 0; i < ids.length; i += 500)
        await this.db.notify(runsChannel, `${this.#origin}:${ids.slice(i, i + 500).join(",")}`);
      if (ready) await this.db.notify(readyChannel, this.#origin);
    } catch {
      /* the database is going away (shutdown); other processes poll as a fallback */
    }
  }

  /** Stops the coalescing timer. */
  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
