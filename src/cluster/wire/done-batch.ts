import type { Outcome } from "../../graph/index.ts";
import { OutcomeCode, type DoneExtra, type WorkerToScheduler } from "../messages.ts";

// A `done` report on the wire: its task runs' outcomes as typed arrays (msgpack writes each as one
// byte string), the rare extras (a failure's message, measured lengths, a small result sent
// along) in a list of their own. One small array per task run, as `done` used to be, was the
// largest share of both sides' garbage on a map of no-op tasks.

/** Int32 fields per task run in `tasks`: node, child, outcome code, result length (-1: none). */
export const DONE_FIELDS = 4;

/** A `done` message. */
export type DoneMessage = Extract<WorkerToScheduler, { t: "done" }>;

/** One task run's report, spelled out (tests, and the rare message made by hand). */
export interface DoneReport {
  readonly node: number;
  readonly child: number;
  /** an OutcomeCode */
  readonly code: number;
  readonly ms: number;
  /** the result's length (Measure.length and up); -1 or absent: none */
  readonly length?: number;
  readonly innerLengths?: readonly number[];
  readonly message?: string;
  readonly stack?: string;
  /** the result itself, for a small kept result (EAGER_RESULT_BYTES) */
  readonly bytes?: Uint8Array;
}

/** Collects the outcomes of one `done` (one run) as task runs end. */
export class DoneBatch {
  private ints: Int32Array;
  private ms: Float64Array;
  private extra: DoneExtra[] | undefined;
  /** Task runs in the batch. */
  size = 0;

  /** @param expected how many task runs it will likely hold (it grows past that) */
  constructor(expected = 16) {
    const n = Math.max(1, expected);
    this.ints = new Int32Array(DONE_FIELDS * n);
    this.ms = new Float64Array(n);
  }

  /** Adds a task run's outcome; `length` -1 (or absent) when none was measured. */
  add(
    node: number,
    child: number,
    code: number,
    ms: number,
    length = -1,
    innerLengths?: readonly number[],
    message?: string,
    stack?: string,
    bytes?: Uint8Array,
  ): void {
    const i = this.size++;
    if (i === this.ms.length) this.grow();
    const o = i * DONE_FIELDS;
    const ints = this.ints;
    ints[o] = node;
    ints[o + 1] = child;
    ints[o + 2] = code;
    ints[o + 3] = length;
    this.ms[i] = ms;
    if (innerLengths || message !== undefined || stack !== undefined || bytes)
      (this.extra ??= []).push([
        i,
        message ?? null,
        stack ?? null,
        innerLengths ?? null,
        bytes ?? null,
      ]);
  }

  /** Adds a report spelled out. */
  addReport(r: DoneReport): void {
    this.add(r.node, r.child, r.code, r.ms, r.length, r.innerLengths, r.message, r.stack, r.bytes);
  }

  private grow(): void {
    const ints = new Int32Array(this.ints.length * 2);
    ints.set(this.ints);
    this.ints = ints;
    const ms = new Float64Array(this.ms.length * 2);
    ms.set(this.ms);
    this.ms = ms;
  }

  /** The `done` message of run `run` (copies of just the written part); `claimed` as in DoneMessage. */
  toMessage(run: number, claimed?: number[]): DoneMessage {
    const tasks = this.ints.slice(0, this.size * DONE_FIELDS);
    const ms = this.ms.slice(0, this.size);
    const extra = this.extra;
    return { t: "done", run, tasks, ms, ...(extra && { extra }), ...(claimed && { claimed }) };
  }
}

/** A `done` message from reports spelled out (tests, and any sender of a handful). */
export function doneMessage(
  run: number,
  reports: readonly DoneReport[],
  claimed?: number[],
): DoneMessage {
  const b = new DoneBatch();
  for (const r of reports) b.addReport(r);
  return b.toMessage(run, claimed);
}

const SUCCESS: Outcome = { type: "Success" };

/**
 * Reads a received `done`: a cursor (`at(i)`, then the getters) over its arrays, so that reading
 * makes no object per task run. Extras are found by walking along with it.
 */
export class DoneReader {
  /** Task runs in the message. */
  readonly size: number;
  private readonly tasks: Int32Array;
  private readonly times: Float64Array;
  private readonly extras: readonly DoneExtra[];
  private o = 0;
  private i = 0;
  private x = 0;
  /** The extras of the task run at the cursor, if it has any. */
  private ex: DoneExtra | undefined;

  constructor(m: DoneMessage) {
    this.tasks = m.tasks;
    this.times = m.ms;
    this.extras = m.extra ?? [];
    this.size = m.ms.length;
  }

  /** Moves the cursor to task run `i` (0 <= i < size); forwards is cheapest. */
  at(i: number): this {
    if (i < this.i) this.x = 0;
    this.i = i;
    this.o = i * DONE_FIELDS;
    const extras = this.extras;
    while (this.x < extras.length && extras[this.x]![0] < i) this.x++;
    const e = extras[this.x];
    this.ex = e !== undefined && e[0] === i ? e : undefined;
    return this;
  }

  get node(): number {
    return this.tasks[this.o]!;
  }
  get child(): number {
    return this.tasks[this.o + 1]!;
  }
  get code(): number {
    return this.tasks[this.o + 2]!;
  }
  get ms(): number {
    return this.times[this.i]!;
  }
  /** -1: none */
  get length(): number {
    return this.tasks[this.o + 3]!;
  }
  get message(): string | undefined {
    return this.ex?.[1] ?? undefined;
  }
  get stack(): string | undefined {
    return this.ex?.[2] ?? undefined;
  }
  get innerLengths(): readonly number[] | undefined {
    return this.ex?.[3] ?? undefined;
  }
  /** The result itself, when it came along (a small kept result). */
  get bytes(): Uint8Array | undefined {
    return this.ex?.[4] ?? undefined;
  }

  /** The graph outcome of the task run at the cursor. */
  outcome(): Outcome {
    const code = this.code;
    if (code === OutcomeCode.success) {
      const length = this.length;
      const innerLengths = this.innerLengths;
      if (length < 0 && !innerLengths) return SUCCESS;
      return { type: "Success", length: length >= 0 ? length : undefined, innerLengths };
    }
    const message = this.message ?? "";
    if (code === OutcomeCode.skipped) return { type: "Skipped", message };
    const type = code === OutcomeCode.timedOut ? "TimedOut" : "Failed";
    return { type, message, stack: this.stack };
  }

  /** The task run at the cursor, spelled out (tests, logs). */
  report(): DoneReport {
    const r: { -readonly [K in keyof DoneReport]: DoneReport[K] } = {
      node: this.node,
      child: this.child,
      code: this.code,
      ms: this.ms,
    };
    if (this.length >= 0) r.length = this.length;
    if (this.innerLengths) r.innerLengths = this.innerLengths;
    if (this.message !== undefined) r.message = this.message;
    if (this.stack !== undefined) r.stack = this.stack;
    if (this.bytes) r.bytes = this.bytes;
    return r;
  }
}

/** Every task run of a `done`, spelled out (tests, logs). */
export function readDone(m: DoneMessage): DoneReport[] {
  const r = new DoneReader(m);
  const out: DoneReport[] = [];
  for (let i = 0; i < r.size; i++) out.push(r.at(i).report());
  return out;
}
