/**
 * A flow run's task runs placed on workers, found by (node, child). The records sit in one dense
 * array with a free list, and each node keeps the slot of each of its children's records in a
 * typed array (a non-mapped node's record is found by node alone): a Map keyed by taskKey cost a
 * hashed insert and lookup per task run, the scheduler's two costliest lines on a map of no-op
 * tasks. (Generic over the record, a TaskRecord, so that flow-run.ts needs no import back.)
 */
export class ActiveTasks<Rec extends { readonly node: number; readonly child: number }> {
  private readonly records: (Rec | undefined)[] = [];
  private readonly free: number[] = [];
  /** By node, its record when not mapped (child -1). */
  private readonly whole: (Rec | undefined)[] = [];
  /** By node, each child's record's slot in `records` plus one (0: none). */
  private readonly slots: (Int32Array | undefined)[] = [];
  /** Task runs held. */
  size = 0;

  get(node: number, child: number): Rec | undefined {
    if (child < 0) return this.whole[node];
    const s = this.slots[node];
    if (s === undefined || child >= s.length) return undefined;
    const slot = s[child]!;
    return slot === 0 ? undefined : this.records[slot - 1];
  }

  /** Holds `rec` (in place of any record of the same task run). */
  set(rec: Rec): void {
    const { node, child } = rec;
    if (child < 0) {
      if (this.whole[node] === undefined) this.size++;
      this.whole[node] = rec;
      return;
    }
    let s = this.slots[node];
    if (s === undefined || child >= s.length) s = this.grow(node, child);
    const at = s[child]!;
    if (at !== 0) {
      this.records[at - 1] = rec;
      return;
    }
    const slot = this.free.length > 0 ? this.free.pop()! : this.records.push(undefined) - 1;
    this.records[slot] = rec;
    s[child] = slot + 1;
    this.size++;
  }

  /** Drops the record of task run (node, child); false when none is held. */
  delete(node: number, child: number): boolean {
    if (child < 0) {
      if (this.whole[node] === undefined) return false;
      this.whole[node] = undefined;
      this.size--;
      return true;
    }
    const s = this.slots[node];
    const at = s !== undefined && child < s.length ? s[child]! : 0;
    if (at === 0) return false;
    s![child] = 0;
    this.records[at - 1] = undefined;
    this.free.push(at - 1);
    this.size--;
    return true;
  }

  /** Every record held (no particular order). */
  *values(): IterableIterator<Rec> {
    for (const rec of this.whole) if (rec) yield rec;
    for (const rec of this.records) if (rec) yield rec;
  }

  clear(): void {
    this.records.length = 0;
    this.free.length = 0;
    this.whole.length = 0;
    this.slots.length = 0;
    this.size = 0;
  }

  /** The node's child slots, grown (doubling) to hold `child`. */
  private grow(node: number, child: number): Int32Array {
    const old = this.slots[node];
    const s = new Int32Array(Math.max(child + 1, (old?.length ?? 512) * 2));
    if (old) s.set(old);
    this.slots[node] = s;
    return s;
  }
}
