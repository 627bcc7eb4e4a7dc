import type { ChainLink } from "./inline-chain.ts";
import type { TaskInput } from "./packed-deps.ts";
import { NOT_RUN, type ThreadResult, type ThreadTask } from "./thread-messages.ts";

/** What the pool needs to know to place and time a task. */
export interface PoolTask extends Omit<ThreadTask, "s"> {
  /** ms; 0 = none */
  readonly timeout: number;
  /** Short tasks go to threads in batches; slow ones one at a time, reported as started first. */
  readonly fast: boolean;
  /** Inputs packed with the task's batch (none when `deps` holds them). */
  readonly inputs: readonly TaskInput[];
  /** `next` links its thread runs right after it while they succeed (inline-chain.ts). */
  readonly chain: readonly ChainLink[] | undefined;
}

/**
 * A PoolTask from its fields and its inputs, as one object literal: one spread (`{...base,
 * inputs}`) per task run made objects whose every field read was slow.
 */
export function poolTask(
  base: Omit<PoolTask, "inputs" | "chain">,
  inputs: readonly TaskInput[],
): PoolTask {
  const { run, n, c, a, m, args, deps, timeout, fast } = base;
  return { run, n, c, a, m, args, deps, timeout, fast, inputs, chain: undefined };
}

/**
 * A submitted task run as the pool keeps it: the fields it reads, copied once into one shape
 * (the worker makes PoolTasks of several shapes, and reading those per batch was costly), and its
 * number in its thread's order (ThreadTask.s) and when it was handed over, once it is.
 */
export class PoolEntry {
  readonly run: number;
  readonly n: number;
  readonly c: number;
  readonly a: number;
  readonly m: number;
  readonly args: ThreadTask["args"];
  readonly deps: ThreadTask["deps"];
  readonly timeout: number;
  readonly fast: boolean;
  readonly inputs: readonly TaskInput[];
  readonly chain: PoolTask["chain"];
  /** A chain link (not handed over by itself: its thread runs it after the task run before it). */
  inline = false;
  seq = -1;
  at = 0;

  constructor(readonly task: PoolTask) {
    this.run = task.run;
    this.n = task.n;
    this.c = task.c;
    this.a = task.a;
    this.m = task.m;
    this.args = task.args;
    this.deps = task.deps;
    this.timeout = task.timeout;
    this.fast = task.fast;
    this.inputs = task.inputs;
    this.chain = task.chain;
  }
}

/** A task run's chain links as pool entries, to number right after it: its thread runs them next. */
export function linkEntries(t: PoolEntry): PoolEntry[] {
  const { run, fast } = t;
  return t.chain!.map(({ n, a, m, args }) => {
    const inputs: TaskInput[] = [];
    const link = new PoolEntry({
      run,
      n,
      c: -1,
      a,
      m,
      args,
      deps: undefined,
      timeout: 0,
      fast,
      inputs,
      chain: undefined,
    });
    link.inline = true;
    return link;
  });
}

/** A chain link its thread did not run (see NOT_RUN). */
export function notRunResult(t: PoolEntry): ThreadResult {
  return { s: t.seq, run: t.run, n: t.n, c: t.c, code: NOT_RUN, ms: 0, inline: true };
}
