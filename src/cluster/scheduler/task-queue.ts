import { makeRecord, type FlowRun, type TaskRecord } from "./flow-run.ts";

/** Children [next, end) of one mapped node, all commanded to run and waiting for a worker. */
interface ChildRange {
  readonly run: FlowRun;
  readonly node: number;
  next: number;
  end: number;
}

/**
 * The scheduler's FIFO of task runs waiting for a worker. A map's children are queued as ranges
 * (a few words per range, not an object per child) and become TaskRecords only when they leave
 * the queue, so that a million-child map costs the scheduler little until it is dispatched.
 */
export class TaskQueue {
  private items: (TaskRecord | ChildRange)[] = [];
  private head = 0;
  /** Task runs queued. */
  size = 0;

  push(rec: TaskRecord): void {
    this.items.push(rec);
    this.size++;
  }

  /** Queues a map child whose run command the graph state just gave (attempt and args are read back from it). */
  pushChild(run: FlowRun, node: number, child: number): void {
    const last = this.items.length > this.head ? this.items[this.items.length - 1]! : undefined;
    if (last && !("key" in last) && last.run === run && last.node === node && last.end === child)
      last.end++;
    else this.items.push({ run, node, next: child, end: child + 1 });
    this.size++;
  }

  /** The next queued task run, or undefined when the queue is empty. Ranges of finished runs are dropped whole. */
  shift(): TaskRecord | undefined {
    while (this.head < this.items.length) {
      const it = this.items[this.head]!;
      if ("key" in it) {
        this.advance();
        this.size--;
        return it;
      }
      if (it.run.finished) {
        this.size -= it.end - it.next;
        this.advance();
        continue;
      }
      const child = it.next++;
      this.size--;
      if (it.next === it.end) this.advance();
      if (it.run.state.stateOf(it.node, child) !== "Running") continue;
      return makeRecord(it.run, it.node, child, false);
    }
    return undefined;
  }

  private advance(): void {
    this.items[this.head++] = undefined as unknown as TaskRecord;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
