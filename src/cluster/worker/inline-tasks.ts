import type { GraphSpec } from "../../graph/index.ts";
import { BatchPacker, HeldInputs } from "./packed-deps.ts";
import type { PoolTask } from "./pool-task.ts";
import { captureConsole } from "./task-invocation.ts";
import { inlineBundle } from "./inline-code.ts";
import { TaskRunner, type TaskLogLine } from "./task-runner.ts";
import { unpackResults } from "./thread-batch.ts";
import type { PackedResults, ThreadResult, ThreadRunInfo, ThreadTask } from "./thread-messages.ts";

export interface InlineTasksOptions {
  /** The task threads' module resolve hooks: where flowgate's modules are (inline-code.ts). */
  readonly hooks: readonly string[];
  /** A run's graph as WorkerState decoded it (the runner does not decode it again). */
  readonly spec: (run: number) => GraphSpec | undefined;
  readonly onResults: (list: ThreadResult[]) => void;
  readonly onLogs: (list: TaskLogLine[]) => void;
}

/** A flow's code not loaded on the I/O loop within this many ms stays on threads. */
const LOAD_MS = 10_000;

const timeout = (ms: number) =>
  new Promise<never>((_, reject) => {
    setTimeout(() => reject(new Error(`not loaded within ${ms} ms`)), ms).unref();
  });

/** Run inline this long (ms) in a row, the runner lets the I/O loop turn before the next task run. */
const SLICE_MS = 2;

/**
 * Task runs on the worker's I/O loop (see inline-policy.ts for which): the same TaskRunner as a
 * task thread's, fed directly (no thread, no postMessage), its results and log lines handed to
 * the shell as a thread's are. The flow's code is loaded here on demand (`loadCode`), once.
 */
export class InlineTasks {
  private readonly runner: TaskRunner;
  private readonly infos = new Map<number, ThreadRunInfo>();
  /** Sticky inputs the runner holds decoded. */
  private readonly sticky = new HeldInputs();
  /** Numbers (`s`) of the chain links handed over and not yet reported. */
  private readonly links = new Set<number>();
  private sent = 0;
  /** Bundle path -> the copy the I/O loop loads (inline-code.ts). */
  private readonly bundles = new Map<string, string>();

  constructor(private readonly o: InlineTasksOptions) {
    this.runner = new TaskRunner(
      {
        logs: o.onLogs,
        results: (p) => this.onResults(p),
        // no timeouts inline; a load failure is the threads' to report
        begin: () => {},
        loadFailed: () => {},
      },
      { sliceMs: SLICE_MS },
    );
  }

  /** Task runs queued or running here. */
  get pending(): number {
    return this.runner.load;
  }

  /** Learns about a run (nothing is decoded or loaded until a task run of it comes). */
  addRun(info: ThreadRunInfo): void {
    this.infos.set(info.run, info);
  }

  /**
   * Loads a run's flow code here (from a copy of its bundle importing flowgate by file, see
   * inline-code.ts); false when it failed (its tasks then stay on threads).
   */
  async loadCode(run: number): Promise<boolean> {
    const info = this.infos.get(run);
    if (!info) return false;
    try {
      const bundlePath = await inlineBundle(info.bundlePath, this.o.hooks);
      this.bundles.set(info.bundlePath, bundlePath);
      captureConsole("console");
      // A load that does not end in time (a flow file stuck at its top level) counts as failed.
      await Promise.race([this.runner.loadHost({ ...info, bundlePath }), timeout(LOAD_MS)]);
      return true;
    } catch {
      return false;
    }
  }

  submit(tasks: readonly PoolTask[]): void {
    const packer = new BatchPacker();
    const list: ThreadTask[] = [];
    for (const t of tasks) {
      const info = this.infos.get(t.run);
      if (info && !this.runner.hasRun(t.run)) {
        const bundlePath = this.bundles.get(info.bundlePath) ?? info.bundlePath;
        this.runner.addRun({ ...info, bundlePath }, this.o.spec(t.run));
      }
      const s = this.sent;
      this.sent += 1 + (t.chain?.length ?? 0);
      if (t.chain) for (let i = 0; i < t.chain.length; i++) this.links.add(s + 1 + i);
      this.sticky.pack(t.run, t.inputs, packer);
      const { run, n, c, a, m, args, deps, chain } = t;
      list.push(
        chain ? { run, n, c, a, m, args, deps, s, chain } : { run, n, c, a, m, args, deps, s },
      );
    }
    this.runner.submit(list, packer.pack());
  }

  cancel(run: number): void {
    this.runner.cancel(run);
  }

  forget(run: number): void {
    this.runner.forget(run);
    this.infos.delete(run);
    this.sticky.forget(run);
  }

  release(run: number, node: number): void {
    this.runner.release(run, node);
    this.sticky.release(run, node);
  }

  private onResults(p: PackedResults): void {
    const list = unpackResults(p);
    for (const r of list) if (this.links.delete(r.s!)) r.inline = true;
    this.o.onResults(list);
  }
}
