import { Worker as Thread } from "node:worker_threads";
import { OutcomeCode } from "../messages.ts";
import { BatchPacker, HeldInputs } from "./packed-deps.ts";
import { PoolEntry as Entry, linkEntries, notRunResult, type PoolTask } from "./pool-task.ts";
import { packTasks, unpackResults } from "./thread-batch.ts";
import type { FromThread, ThreadResult, ThreadRunInfo, ToThread } from "./thread-messages.ts";

interface Slot {
  thread: Thread;
  /** Handed to the thread and not yet reported, in `seq` order (the order the thread runs them). */
  inflight: Entry[];
  runs: Set<number>;
  timer: NodeJS.Timeout | undefined;
  /** The number of the task run the thread is on (-1 before the first), written by the thread. */
  running: Int32Array;
  /** Task runs handed to this thread so far (the next one's number). */
  sent: number;
  outOfMemory: boolean;
  /** Sticky inputs the thread holds decoded. */
  sticky: HeldInputs;
}

/** Short task runs a thread holds at most (queued there or running). */
const MAX_INFLIGHT = 256;
/** Short task runs worth a message to a thread that is still busy. */
const MIN_BATCH = 64;

const BOOT = `
const { workerData, parentPort } = require("node:worker_threads");
(async () => {
  const { register: hook } = await import("node:module");
  for (const h of workerData.hooks) hook(h);
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
  await import(workerData.threadModule);
})().catch((e) => { process.stderr.write("task thread failed to start: " + (e && e.stack || e) + "\\n"); process.exit(1); });
`;

export interface ThreadPoolOptions {
  readonly size: number;
  readonly threadModule: string;
  /** tsx's API module, when the threads load TypeScript (each registration costs ~300 ms). */
  readonly tsxApi?: string;
  readonly hooks: readonly string[];
  readonly onResults: (list: ThreadResult[]) => void;
  readonly onLogs: (list: unknown[]) => void;
  readonly onLoadFailed: (run: number, message: string) => void;
  /** A slow task is about to start (sent to the scheduler before the thread gets it). */
  readonly onStart: (t: PoolTask) => void;
  /** V8 old-generation limit of each thread (MiB); undefined = V8's default. */
  readonly heapMib?: number;
  /** The failure message of a task whose thread ran out of heap while running it. */
  readonly outOfMemoryMessage: (t: PoolTask) => string;
}

/**
 * The worker's task threads (`--concurrency` of them). Tasks run off the I/O loop, so a
 * CPU-bound task stops neither heartbeats nor serving results to peers. A task that times out
 * has its thread terminated and replaced, so it is really stopped; one whose thread runs out of
 * heap fails alone and its thread is replaced too.
 */
export class ThreadPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Entry[] = [];
  private readonly runs = new Map<number, ThreadRunInfo>();
  private closed = false;
  private paused = false;
  /** Bytes of task inputs posted to threads so far (a map over one list should cost O(1) each). */
  inputBytes = 0;

  constructor(private readonly o: ThreadPoolOptions) {
    for (let i = 0; i < o.size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const running = new Int32Array(new SharedArrayBuffer(4)).fill(-1);
    const thread = new Thread(BOOT, {
      eval: true,
      workerData: {
        tsxApi: this.o.tsxApi,
        hooks: this.o.hooks,
        threadModule: this.o.threadModule,
        running,
      },
      stdout: false,
      stderr: false,
      resourceLimits: this.o.heapMib ? { maxOldGenerationSizeMb: this.o.heapMib } : undefined,
    });
    const slot: Slot = {
      thread,
      inflight: [],
      runs: new Set(),
      timer: undefined,
      running,
      sent: 0,
      outOfMemory: false,
      sticky: new HeldInputs(),
    };
    thread.on("message", (m: FromThread) => this.onMessage(slot, m));
    thread.on("error", (e: Error & { code?: string }) => {
      if (e.code === "ERR_WORKER_OUT_OF_MEMORY") slot.outOfMemory = true;
      else process.stderr.write(`task thread error: ${e.stack ?? e.message}\n`);
    });
    thread.on("exit", () => this.onExit(slot));
    thread.unref();
    return slot;
  }

  private onMessage(slot: Slot, m: FromThread): void {
    if (m.t === "results") {
      const list = unpackResults(m.results);
      const inflight = slot.inflight;
      for (const r of list) {
        // Results come in the order the tasks were handed over, but for cancelled ones.
        let e: Entry | undefined;
        if (inflight.length > 0 && inflight[0]!.seq === r.s) e = inflight.shift();
        else {
          const i = inflight.findIndex((t) => t.seq === r.s);
          if (i >= 0) e = inflight.splice(i, 1)[0];
        }
        if (e?.inline) r.inline = true;
      }
      if (slot.timer && slot.inflight.length === 0) {
        clearTimeout(slot.timer);
        slot.timer = undefined;
      }
      this.o.onResults(list);
      // An async task that timed out got its abort signal; let it wind down (and log) briefly,
      // then stop it for good with its thread. New tasks go to a fresh thread meanwhile.
      if (list.some((r) => r.code === OutcomeCode.timedOut)) this.recycle(slot, 1000);
      this.pump();
    } else if (m.t === "logs") this.o.onLogs(m.list);
    else if (m.t === "begin") this.startTimer(slot, m.s);
    else if (m.t === "load-failed") this.o.onLoadFailed(m.run, m.message);
  }

  /** A task with a timeout began in its thread: terminate the thread if it overruns. */
  private startTimer(slot: Slot, seq: number): void {
    const task = slot.inflight.find((t) => t.seq === seq);
    if (!task || task.timeout <= 0) return;
    const { run, n, c } = task;
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      const i = slot.inflight.indexOf(task);
      if (i < 0) return;
      slot.inflight.splice(i, 1);
      this.recycle(slot);
      this.o.onResults([
        {
          s: seq,
          run,
          n,
          c,
          code: OutcomeCode.timedOut,
          ms: task.timeout,
          message: `task run timed out after ${task.timeout} ms`,
        },
      ]);
      this.pump();
    }, task.timeout + 20);
  }

  private onExit(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i < 0 || this.closed) return;
    clearTimeout(slot.timer);
    this.slots[i] = this.spawn();
    if (slot.outOfMemory) return this.outOfMemory(slot);
    // An unexpected thread exit fails its tasks; a recycled slot was already replaced.
    const lost = slot.inflight;
    if (lost.length)
      this.o.onResults(
        lost.map((t) => ({
          s: t.seq,
          run: t.run,
          n: t.n,
          c: t.c,
          code: OutcomeCode.failed,
          ms: 0,
          message: "the task thread exited while running this task",
          inline: t.inline,
        })),
      );
    this.pump();
  }

  /**
   * A thread died of OOM (it was already replaced): the task it was running fails; the others it
   * held had not begun, or finished without their result being posted, and run again elsewhere.
   */
  private outOfMemory(slot: Slot): void {
    const running = Atomics.load(slot.running, 0);
    // Out of heap before it began a task (loading its code): blame the first, so that none loops.
    const culprit = running < 0 ? slot.inflight[0] : slot.inflight.find((t) => t.seq === running);
    const rest = slot.inflight.filter((t) => t !== culprit);
    const notRun = this.requeue(rest);
    if (notRun.length) this.o.onResults(notRun);
    if (culprit) {
      const at = culprit.at;
      this.o.onResults([
        {
          s: culprit.seq,
          run: culprit.run,
          n: culprit.n,
          c: culprit.c,
          code: OutcomeCode.failed,
          ms: performance.now() - at,
          message: this.o.outOfMemoryMessage(culprit.task),
          inline: culprit.inline,
        },
      ]);
    }
    this.pump();
  }

  /** Terminates a thread (its task timed out) and puts a fresh one in its place. */
  private recycle(slot: Slot, graceMs = 0): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots[i] = this.spawn();
    const rest = slot.inflight;
    slot.inflight = [];
    if (graceMs > 0) setTimeout(() => void slot.thread.terminate(), graceMs).unref();
    else void slot.thread.terminate();
    const notRun = this.requeue(rest);
    if (notRun.length) this.o.onResults(notRun);
  }

  /**
   * Puts a replaced thread's task runs back at the front of the queue, in order; chain links
   * cannot run alone (their inputs were the thread's), so they come back as not run.
   */
  private requeue(rest: readonly Entry[]): ThreadResult[] {
    const notRun: ThreadResult[] = [];
    for (let j = rest.length - 1; j >= 0; j--) {
      const t = rest[j]!;
      if (!t.inline) this.queue.unshift(t);
      else notRun.push(notRunResult(t));
    }
    return notRun;
  }

  addRun(info: ThreadRunInfo): void {
    this.runs.set(info.run, info);
  }

  forget(run: number): void {
    this.runs.delete(run);
    for (const s of this.slots) {
      s.sticky.forget(run);
      if (s.runs.delete(run)) post(s, { t: "forget", run });
    }
    for (let i = this.queue.length - 1; i >= 0; i--)
      if (this.queue[i]!.run === run) this.queue.splice(i, 1);
  }

  /** Drops a cancelled run's queued tasks and aborts its running ones (their signal fires). */
  cancel(run: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--)
      if (this.queue[i]!.run === run) this.queue.splice(i, 1);
    for (const s of this.slots) if (s.runs.has(run)) post(s, { t: "cancel", run });
  }

  /** No task needs a node's results any more: threads drop their decoded copies. */
  release(run: number, node: number): void {
    for (const s of this.slots)
      if (s.sticky.release(run, node)) post(s, { t: "release", run, node });
  }

  submit(tasks: PoolTask[]): void {
    for (const t of tasks) this.queue.push(new Entry(t));
    this.pump();
  }

  /** Drops a queued task run that has not started (a speculative one taken back); false when not queued. */
  remove(run: number, n: number, c: number): boolean {
    const i = this.queue.findIndex((t) => t.run === run && t.n === n && t.c === c);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    return true;
  }

  /** Hands back up to `max` queued task runs that have not started (the last ones it would run), for work stealing. */
  steal(max: number): PoolTask[] {
    const n = Math.max(0, Math.min(max, this.queue.length));
    return n === 0 ? [] : this.queue.splice(this.queue.length - n, n).map((e) => e.task);
  }

  /**
   * Paused, the pool starts a task run only when none is running: memory may be held by results
   * rather than by tasks, and a worker that started nothing could stall the flow for good.
   */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) this.pump();
  }

  get load(): number {
    let n = this.queue.length;
    for (const s of this.slots) n += s.inflight.length;
    return n;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      if (this.paused && this.slots.some((s) => s.inflight.length > 0)) return;
      const fast = this.queue[0]!.fast;
      let best: Slot | undefined;
      for (const s of this.slots) {
        const busy = s.inflight.length;
        const slow = busy > 0 && !s.inflight[busy - 1]!.fast;
        if (slow || (!fast && busy > 0) || busy >= MAX_INFLIGHT) continue;
        // A busy thread takes more short tasks only as a batch worth a message; the rest go
        // when its results come back (a message per few tasks was most of the I/O loop's time).
        if (fast && busy > 0 && this.queue.length < MIN_BATCH) continue;
        if (!best || s.inflight.length < best.inflight.length) best = s;
      }
      if (!best) return;
      // the batch leaves the queue in one splice (a shift per task run was a visible cost)
      let take = 1;
      if (fast) {
        const max = Math.min(this.queue.length, MAX_INFLIGHT - best.inflight.length);
        take = 0;
        while (take < max && this.queue[take]!.fast) take++;
      }
      const batch = this.queue.splice(0, take);
      const packer = new BatchPacker();
      const now = performance.now();
      for (const t of batch) {
        if (!best.runs.has(t.run)) {
          best.runs.add(t.run);
          post(best, { t: "run", info: this.runs.get(t.run)! });
        }
        if (!t.fast) this.o.onStart(t.task);
        t.seq = best.sent++;
        t.at = now;
        best.inflight.push(t);
        if (t.chain)
          for (const link of linkEntries(t)) {
            link.seq = best.sent++;
            link.at = now;
            best.inflight.push(link);
          }
        best.sticky.pack(t.run, t.inputs, packer);
        if (t.deps) this.inputBytes += t.deps.blob.length;
      }
      this.inputBytes += packer.byteLength;
      const tasks = packTasks(batch);
      const inputs = packer.pack();
      // Both are fresh buffers, so they move to the thread rather than being copied.
      const transfer = [tasks.ints.buffer as ArrayBuffer];
      if (inputs) transfer.push(inputs.blob.buffer as ArrayBuffer);
      post(best, { t: "tasks", tasks, inputs }, transfer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.thread.terminate()));
  }
}

function post(slot: Slot, m: ToThread, transfer?: ArrayBuffer[]): void {
  slot.thread.postMessage(m, transfer);
}
