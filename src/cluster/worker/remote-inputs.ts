import { FETCH_BATCH, type FetchFn } from "./input-gatherer.ts";

interface Request {
  readonly run: number;
  readonly holder: number;
  readonly keys: string[];
}

/**
 * Fetches small tasks' remote inputs, each (run, node, child) once however many task runs wait for
 * it: the 50,000 map children placed here that index into one list held by a peer cause one fetch
 * of that list, not 50,000. Requests made in the same turn go to each holder together. What
 * arrives the caller keeps (WorkerState stores it), so that later task runs find it held.
 */
export class RemoteInputs {
  private readonly pending = new Map<string, Promise<Buffer | null>>();
  private readonly queued = new Map<string, Request>();
  private readonly waiters = new Map<string, (v: Buffer | null) => void>();
  private flushSet = false;

  constructor(
    /** A result held here, if any (no fetch then). */
    private readonly local: (run: number, node: number, child: number) => Buffer | undefined,
    private readonly fetchFrom: (run: number) => FetchFn,
  ) {}

  /** The bytes of result (node, child) of a run, from `holder`; null when the holder no longer has it. */
  want(run: number, holder: number, node: number, child: number): Promise<Buffer | null> {
    const local = this.local(run, node, child);
    if (local) return Promise.resolve(local);
    const id = `${run}:${node}|${child}`;
    let p = this.pending.get(id);
    if (p) return p;
    p = new Promise<Buffer | null>((resolve) => this.waiters.set(id, resolve));
    this.pending.set(id, p);
    const rk = `${run}:${holder}`;
    let r = this.queued.get(rk);
    if (!r) this.queued.set(rk, (r = { run, holder, keys: [] }));
    r.keys.push(`${node}|${child}`);
    if (!this.flushSet) {
      this.flushSet = true;
      queueMicrotask(() => this.flush());
    }
    return p;
  }

  private flush(): void {
    this.flushSet = false;
    const requests = [...this.queued.values()];
    this.queued.clear();
    for (const r of requests)
      for (let i = 0; i < r.keys.length; i += FETCH_BATCH)
        void this.fetch(r.run, r.holder, r.keys.slice(i, i + FETCH_BATCH));
  }

  private async fetch(run: number, holder: number, keys: string[]): Promise<void> {
    let values: (Buffer | null)[];
    try {
      values = await this.fetchFrom(run)(holder, keys);
    } catch {
      values = keys.map(() => null);
    }
    keys.forEach((k, i) => {
      const id = `${run}:${k}`;
      const v = values[i] ?? null;
      this.pending.delete(id);
      const resolve = this.waiters.get(id);
      this.waiters.delete(id);
      resolve?.(v);
    });
  }
}
