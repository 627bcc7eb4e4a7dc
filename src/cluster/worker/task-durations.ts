import type { GraphSpec } from "../../graph/index.ts";

/** Mean durations (ms) by "bundle hash#task key", kept across runs on one worker. */
export type KnownDurations = Map<string, number>;

const MAX_KNOWN = 10_000;

/**
 * The mean run time of a run's tasks, shared by every node that calls the same task function
 * (as Dask estimates durations per task prefix) and seeded from earlier runs of the same bundle.
 * It decides whether a task is "fast": batched to a thread and not reported as started.
 */
export class RunDurations {
  private readonly slotOf: Int32Array;
  private readonly ms: Float64Array;
  private readonly names: string[] = [];

  constructor(
    bundle: string,
    spec: GraphSpec,
    private readonly known: KnownDurations,
  ) {
    const slots = new Map<string, number>();
    this.slotOf = new Int32Array(spec.nodes.length);
    spec.nodes.forEach((n, i) => {
      let s = slots.get(n.key);
      if (s === undefined) {
        slots.set(n.key, (s = this.names.length));
        this.names.push(`${bundle}#${n.key}`);
      }
      this.slotOf[i] = s;
    });
    this.ms = new Float64Array(this.names.length);
    this.names.forEach((name, s) => (this.ms[s] = known.get(name) ?? -1));
  }

  /** Mean ms of the node's task; -1 when never measured. */
  of(node: number): number {
    return this.ms[this.slotOf[node]!]!;
  }

  note(node: number, ms: number): void {
    const s = this.slotOf[node]!;
    const prev = this.ms[s]!;
    this.ms[s] = prev < 0 ? ms : prev * 0.8 + ms * 0.2;
  }

  /** Remembers this run's measurements for later runs. */
  save(): void {
    if (this.known.size > MAX_KNOWN) this.known.clear();
    this.names.forEach((name, s) => {
      if (this.ms[s]! >= 0) this.known.set(name, this.ms[s]!);
    });
  }
}
