/**
 * One bar of the task stream: [worker id, lane, start, end, name index]. Times are ms since the
 * stream's origin; lane `slots` of a worker (one past its task lanes) holds its transfers, whose
 * name index is -1.
 */
export type StreamRecord = [number, number, number, number, number];

const FIELDS = 5;

/**
 * The newest `capacity` stream records, numbered like RingBuffer's items, in one Float64Array:
 * a 100,000-task map records 100,000 bars, and an array each was a tenth of the scheduler's
 * garbage. Readers (the dashboard, a few times a second) get arrays back from `since`.
 */
class RecordRing {
  private readonly cells: Float64Array;
  /** How many records were ever pushed; the newest has sequence number `seq - 1`. */
  seq = 0;

  constructor(readonly capacity: number) {
    this.cells = new Float64Array(capacity * FIELDS);
  }

  push(worker: number, lane: number, start: number, end: number, name: number): void {
    const at = (this.seq++ % this.capacity) * FIELDS;
    const c = this.cells;
    c[at] = worker;
    c[at + 1] = lane;
    c[at + 2] = start;
    c[at + 3] = end;
    c[at + 4] = name;
  }

  /** Records with sequence numbers >= `from`, at most the newest `max` of them, oldest first. */
  since(from: number, max = this.capacity): StreamRecord[] {
    const first = Math.max(from, this.seq - this.capacity, this.seq - max, 0);
    const out: StreamRecord[] = [];
    for (let i = first; i < this.seq; i++) {
      const at = (i % this.capacity) * FIELDS;
      const c = this.cells;
      out.push([c[at]!, c[at + 1]!, c[at + 2]!, c[at + 3]!, c[at + 4]!]);
    }
    return out;
  }
}

/**
 * The task stream's memory: the newest task and transfer records in a ring buffer, each placed in
 * a lane (one per worker slot) as it arrives, so that readers only draw. Placement is greedy: the
 * first lane of the worker free at the record's start, else the one that frees first.
 */
export class TaskStream {
  readonly origin = Date.now();
  readonly records: RecordRing;
  readonly names: string[] = [];
  private readonly nameIndex = new Map<string, number>();
  private readonly laneEnds = new Map<number, Float64Array>();

  constructor(capacity = 20_000) {
    this.records = new RecordRing(capacity);
  }

  /** Records a task run that took [start, end] (epoch ms) on a worker with `slots` slots. */
  addTask(worker: number, slots: number, start: number, end: number, name: string): void {
    let ends = this.laneEnds.get(worker);
    if (!ends || ends.length !== slots)
      this.laneEnds.set(worker, (ends = new Float64Array(Math.max(1, slots))));
    const s = start - this.origin;
    let lane = 0;
    for (let i = 0; i < ends.length; i++) {
      if (ends[i]! <= s + 0.5) {
        lane = i;
        break;
      }
      if (ends[i]! < ends[lane]!) lane = i;
    }
    ends[lane] = end - this.origin;
    this.records.push(worker, lane, round(s), round(end - this.origin), this.nameOf(name));
  }

  /** Records a transfer of results into `worker` that took [start, end] (epoch ms). */
  addTransfer(worker: number, slots: number, start: number, end: number): void {
    this.records.push(
      worker,
      Math.max(1, slots),
      round(start - this.origin),
      round(end - this.origin),
      -1,
    );
  }

  forgetWorker(worker: number): void {
    this.laneEnds.delete(worker);
  }

  private nameOf(name: string): number {
    let i = this.nameIndex.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.nameIndex.set(name, i);
    }
    return i;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
