import type { Who } from "../messages.ts";
import {
  GATHER_CHUNK,
  fetchRemote,
  planInputsChunked,
  yieldToLoop,
  type FetchFn,
} from "./input-gatherer.ts";
import type { TaskInput } from "./packed-deps.ts";
import type { PeerClient } from "./peer-client.ts";
import { RemoteInputs } from "./remote-inputs.ts";
import type { TaskBase, WorkerEvent } from "./worker-events.ts";
import type { WorkerState } from "./worker-state.ts";

/** Most [start, end, bytes] triples kept between heartbeats. */
const MAX_TRANSFERS = 3000;

/**
 * The worker shell's peer fetches, for WorkerState's `fetch`, `gather-large` and `replicate`
 * commands: each fetches from the holders it is told, then feeds the answer back as an event
 * (`inputs-ready`, `replicated`). It only reads the state (the results held and the peers).
 */
export class InputFetcher {
  private readonly remote: RemoteInputs;
  /** Fetches from peers since the last heartbeat, for the dashboard: [start, end, bytes] triples. */
  private transfers: number[] = [];

  constructor(
    private readonly state: WorkerState,
    private readonly client: PeerClient,
    private readonly feed: (ev: WorkerEvent) => void,
  ) {
    this.remote = new RemoteInputs(
      (run, node, child) => state.store.get(run, node, child),
      (run) => this.fetchFrom(run),
    );
  }

  /** The transfers since the last call (the heartbeat's `xfer`). */
  takeTransfers(): number[] {
    const t = this.transfers;
    this.transfers = [];
    return t;
  }

  /** Copies results ("node|child" keys) from a retiring peer, as the scheduler asked. */
  async replicate(id: number, run: number, from: number, keys: readonly string[]): Promise<void> {
    const values = await this.fetchFrom(run)(from, [...keys]);
    this.feed({ type: "replicated", id, run, keys, values });
  }

  /** Fetches a small task's remote inputs (flat [holder, node, child, sticky] quads), each once however many tasks wait for it. */
  async fetchInputs(
    base: TaskBase,
    held: readonly TaskInput[],
    r: readonly number[],
  ): Promise<void> {
    const got = await Promise.all(
      Array.from({ length: r.length / 4 }, (_, i) =>
        this.remote.want(base.run, r[i * 4]!, r[i * 4 + 1]!, r[i * 4 + 2]!),
      ),
    );
    const inputs = [...held];
    const fetched: [number, number, Buffer][] = [];
    const lost: number[] = [];
    got.forEach((bytes, i) => {
      const holder = r[i * 4]!;
      const node = r[i * 4 + 1]!;
      const child = r[i * 4 + 2]!;
      if (!bytes) return void lost.push(node, child, holder);
      inputs.push({ node, child, bytes, sticky: r[i * 4 + 3] === 1 });
      fetched.push([node, child, bytes]);
    });
    this.feed({ type: "inputs-ready", base, inputs, fetched, lost });
  }

  /** Gathers a reduce's many inputs in chunks (yielding to the loop), fetching remote ones, and packs them. */
  async gatherLarge(base: TaskBase, args: TaskBase["args"], who: readonly Who[]): Promise<void> {
    const plan = await planInputsChunked(this.state.store, base.run, args, who, yieldToLoop);
    const fetched: [number, number, Buffer][] = [];
    let lost: number[] = [];
    if (plan.remote.size > 0) {
      const keep = {
        set: (_run: number, n: number, c: number, v: Buffer) => void fetched.push([n, c, v]),
      };
      lost = await fetchRemote(plan, keep, base.run, this.fetchFrom(base.run));
    }
    let deps;
    if (lost.length === 0)
      deps =
        plan.deps.count > GATHER_CHUNK
          ? await plan.deps.packChunked(GATHER_CHUNK, yieldToLoop)
          : plan.deps.pack();
    this.feed({ type: "inputs-ready", base, inputs: [], deps, fetched, lost });
  }

  private fetchFrom(run: number): FetchFn {
    return async (holder, keys) => {
      const address = this.state.peers.get(holder);
      const started = Date.now();
      const values = address ? await this.client.fetch(address, run, keys) : keys.map(() => null);
      if (this.transfers.length < MAX_TRANSFERS) {
        let bytes = 0;
        for (const v of values) bytes += v?.length ?? 0;
        this.transfers.push(started, Date.now(), bytes);
      }
      return values;
    };
  }
}
