/**
 * A bounded buffer that keeps the newest `capacity` items and numbers every item it was given,
 * so that a reader can ask for "what came after item n" without the writer knowing its readers.
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  /** How many items were ever pushed; the newest has sequence number `seq - 1`. */
  seq = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.items[this.seq % this.capacity] = item;
    this.seq++;
  }

  /** Items with sequence numbers >= `from`, at most the newest `max` of them, oldest first. */
  since(from: number, max = this.capacity): T[] {
    const first = Math.max(from, this.seq - this.capacity, this.seq - max, 0);
    const out: T[] = [];
    for (let i = first; i < this.seq; i++) out.push(this.items[i % this.capacity]!);
    return out;
  }
}
