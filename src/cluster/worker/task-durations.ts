import type { GraphSpec } from "../../graph/index.ts";

/** What a worker knows of a task's run time across runs: mean ms, and its latest runs in a row that were short. */
export interface KnownDuration {
  readonly ms: number;
  readonly short: number;
}

/** Known durations by "bundle hash#task key", kept across runs on one worker. */
export type KnownDurations = Map<string, KnownDuration>;

const MAX_KNOWN = 10_000;

/** A task run shorter than this (ms) is short by default: it may run on the I/O loop. */
export const SHORT_MS = 1;

/** Which slot each node's task has, and each slot's "bundle#key". */
interface Layout {
  readonly bundle: string;
  readonly slotOf: Int32Array;
  readonly names: readonly string[];
}

/** Layouts by graph spec (specs are shared by the runs of a flow, see graph-memo.ts). */
const layouts = new WeakMap<GraphSpec, Layout>();

function layoutOf(bundle: string, spec: GraphSpec): Layout {
  const hit = layouts.get(spec);
  if (hit?.bundle === bundle) return hit;
  const slots = new Map<string, number>();
  const names: string[] = [];
  const nodes = spec.nodes;
  const slotOf = new Int32Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const key = nodes[i]!.key;
    let s = slots.get(key);
    if (s === undefined) {
      slots.set(key, (s = names.length));
      names.push(`${bundle}#${key}`);
    }
    slotOf[i] = s;
  }
  const layout = { bundle, slotOf, names };
  layouts.set(spec, layout);
  return layout;
}

/**
 * The mean run time of a run's tasks, shared by every node that calls the same task function
 * (as Dask estimates durations per task prefix) and seeded from earlier runs of the same bundle,
 * and how many of each task's latest runs in a row were short. It decides whether a task is
 * "fast" (batched to a thread and not reported as started) and whether it may run inline.
 */
export class RunDurations {
  private readonly slotOf: Int32Array;
  private readonly ms: Float64Array;
  private readonly short: Int32Array;
  /** Slots noted since the last save (1 = listed in `noted`). */
  private readonly dirty: Uint8Array;
  private noted: number[] = [];
  /** "bundle#key" of each slot. */
  readonly names: readonly string[];

  constructor(
    bundle: string,
    spec: GraphSpec,
    private readonly known: KnownDurations,
    /** A run under this many ms counts as short (see shortRuns). */
    private readonly shortMs = SHORT_MS,
  ) {
    const layout = layoutOf(bundle, spec);
    this.slotOf = layout.slotOf;
    this.names = layout.names;
    this.ms = new Float64Array(this.names.length);
    this.short = new Int32Array(this.names.length);
    this.dirty = new Uint8Array(this.names.length);
    for (let s = 0; s < this.names.length; s++) {
      const k = known.get(this.names[s]!);
      this.ms[s] = k ? k.ms : -1;
      this.short[s] = k ? k.short : 0;
    }
  }

  /** Mean ms of the node's task; -1 when never measured. */
  of(node: number): number {
    return this.ms[this.slotOf[node]!]!;
  }

  /** How many of the node's task's latest runs in a row were short (under the short bound). */
  shortRuns(node: number): number {
    return this.short[this.slotOf[node]!]!;
  }

  /** "bundle#key" of the node's task. */
  name(node: number): string {
    return this.names[this.slotOf[node]!]!;
  }

  note(node: number, ms: number): void {
    const s = this.slotOf[node]!;
    const prev = this.ms[s]!;
    this.ms[s] = prev < 0 ? ms : prev * 0.8 + ms * 0.2;
    this.short[s] = ms < this.shortMs ? this.short[s]! + 1 : 0;
    if (this.dirty[s] === 0) {
      this.dirty[s] = 1;
      this.noted.push(s);
    }
  }

  /**
   * Remembers the measurements noted since the last save, for later runs (saved after each batch
   * of results, not when the run is forgotten: a run's forget comes late, with the next run's work).
   */
  save(): void {
    if (this.noted.length === 0) return;
    if (this.known.size > MAX_KNOWN) this.known.clear();
    for (const s of this.noted) {
      this.dirty[s] = 0;
      this.known.set(this.names[s]!, { ms: this.ms[s]!, short: this.short[s]! });
    }
    this.noted = [];
  }
}
