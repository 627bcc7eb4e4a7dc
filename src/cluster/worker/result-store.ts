/**
 * Results this worker holds (made here or fetched from peers), as V8 bytes. Stored per run and
 * node in an array indexed by child + 1, so that storing is cheap and releasing a node is O(1).
 * On the wire a result is named by the key "node|child".
 */
export class ResultStore {
  private readonly runs = new Map<number, Map<number, (Buffer | undefined)[]>>();
  bytes = 0;

  get(run: number, node: number, child: number): Buffer | undefined {
    return this.runs.get(run)?.get(node)?.[child + 1];
  }

  getKey(run: number, key: string): Buffer | undefined {
    const bar = key.indexOf("|");
    return this.get(run, Number(key.slice(0, bar)), Number(key.slice(bar + 1)));
  }

  set(run: number, node: number, child: number, value: Buffer): void {
    let m = this.runs.get(run);
    if (!m) this.runs.set(run, (m = new Map()));
    let a = m.get(node);
    if (!a) m.set(node, (a = []));
    const i = child + 1;
    // Filled up to i first: a worker gets a map's children in batches with the other workers'
    // between them, and storing past a gap of over 1,024 turned the array into a dictionary.
    while (a.length < i) a.push(undefined);
    const old = a[i];
    if (old) this.bytes -= old.length;
    a[i] = value;
    this.bytes += value.length;
  }

  setKey(run: number, key: string, value: Buffer): void {
    const bar = key.indexOf("|");
    this.set(run, Number(key.slice(0, bar)), Number(key.slice(bar + 1)), value);
  }

  /** Drops a node's results (its own and its children's). */
  release(run: number, node: number): void {
    const m = this.runs.get(run);
    const a = m?.get(node);
    if (!a) return;
    for (const v of a) if (v) this.bytes -= v.length;
    m!.delete(node);
  }

  forget(run: number): void {
    const m = this.runs.get(run);
    if (m) for (const node of [...m.keys()]) this.release(run, node);
    this.runs.delete(run);
  }
}
