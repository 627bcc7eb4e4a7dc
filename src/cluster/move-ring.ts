/**
 * The columns shared by the scheduler's transition log and a worker's move log: a bounded ring of
 * (run, node, child, from, to, time) in flat typed arrays, so that logging a move costs a few
 * stores and no allocation. Older entries are overwritten; the owner keeps any extra column by
 * the slot `add` returns.
 */
export class MoveRing {
  readonly runs: Int32Array;
  readonly nodes: Int32Array;
  readonly children: Int32Array;
  /** from << 4 | to, as indexes into the owner's list of states (at most 16) */
  readonly moves: Uint8Array;
  readonly times: Float64Array;
  private next = 0;
  private count = 0;

  constructor(readonly size: number) {
    this.runs = new Int32Array(size);
    this.nodes = new Int32Array(size);
    this.children = new Int32Array(size);
    this.moves = new Uint8Array(size);
    this.times = new Float64Array(size);
  }

  /** Logs a move; returns its slot. */
  add(run: number, node: number, child: number, from: number, to: number, time: number): number {
    const i = this.next;
    this.runs[i] = run;
    this.nodes[i] = node;
    this.children[i] = child;
    this.moves[i] = (from << 4) | to;
    this.times[i] = time;
    this.next = (i + 1) % this.size;
    if (this.count < this.size) this.count++;
    return i;
  }

  from(slot: number): number {
    return this.moves[slot]! >> 4;
  }

  to(slot: number): number {
    return this.moves[slot]! & 15;
  }

  /** Whether a slot holds a move of task run (run, node, child). */
  is(slot: number, run: number, node: number, child: number): boolean {
    return this.runs[slot] === run && this.nodes[slot] === node && this.children[slot] === child;
  }

  /** The slots in use, oldest first. */
  *slots(): Generator<number> {
    const start = this.count < this.size ? 0 : this.next;
    for (let k = 0; k < this.count; k++) yield (start + k) % this.size;
  }

  /** The slots in use, newest first. */
  *newestFirst(): Generator<number> {
    for (let k = 1; k <= this.count; k++) yield (this.next - k + this.size) % this.size;
  }
}
