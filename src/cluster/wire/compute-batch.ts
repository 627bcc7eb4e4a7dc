import type { ArgRef } from "../../graph/index.ts";
import type { ComputeTask, Who } from "../messages.ts";

// A `compute` batch on the wire: its task runs as one Int32Array (plus the per-child holder tables
// of reduces), not a tuple of tuples per task run. msgpack writes and reads a typed array as one
// byte string, so a batch of thousands of map children costs the scheduler no array per task run
// and neither side a walk over nested arrays.
//
// Per task: n, c, a, m, argCount, then per argument its ref and where its inputs are:
//   ref  0 (none: a value in the graph) | 1, node, child, flatten, pathLength (-1: none), ...path
//        | 2, node, width, flatten
//   who  -2 (null) | -3, index into `tables` | a worker id (-1: none)

const REF_NONE = 0;
const REF_RESULT = 1;
const REF_CHILDREN = 2;
const WHO_NULL = -2;
const WHO_TABLE = -3;

/** The `tasks` and `tables` fields of a `compute` message. */
export interface WireBatch {
  readonly tasks: Int32Array;
  readonly tables: Int16Array[];
}

/** Collects the task runs of one `compute` message (one worker, one run) as they are placed. */
export class ComputeBatch {
  private ints = new Int32Array(256);
  private at = 0;
  private readonly tables: Int16Array[] = [];
  /** Task runs in the batch. */
  count = 0;

  private room(more: number): Int32Array {
    if (this.at + more > this.ints.length) {
      const bigger = new Int32Array(Math.max(this.ints.length * 2, this.at + more));
      bigger.set(this.ints.subarray(0, this.at));
      this.ints = bigger;
    }
    return this.ints;
  }

  push(n: number, c: number, a: number, m: number, args: readonly ArgRef[], who: readonly Who[]) {
    let ints = this.room(5);
    let at = this.at;
    ints[at] = n;
    ints[at + 1] = c;
    ints[at + 2] = a;
    ints[at + 3] = m;
    ints[at + 4] = args.length;
    at += 5;
    for (let i = 0; i < args.length; i++) {
      const ref = args[i]!;
      const path = ref.k === "result" ? ref.path : undefined;
      this.at = at;
      ints = this.room(8 + (path?.length ?? 0));
      if (ref.k === "value") ints[at++] = REF_NONE;
      else if (ref.k === "children") {
        ints[at] = REF_CHILDREN;
        ints[at + 1] = ref.node;
        ints[at + 2] = ref.width;
        ints[at + 3] = ref.flatten ? 1 : 0;
        at += 4;
      } else {
        ints[at] = REF_RESULT;
        ints[at + 1] = ref.node;
        ints[at + 2] = ref.child;
        ints[at + 3] = ref.flatten ? 1 : 0;
        ints[at + 4] = path ? path.length : -1;
        at += 5;
        if (path) for (const x of path) ints[at++] = x;
      }
      const w = who[i];
      if (w === null || w === undefined) ints[at++] = WHO_NULL;
      else if (typeof w === "number") ints[at++] = w;
      else {
        ints[at] = WHO_TABLE;
        ints[at + 1] = this.tables.push(w) - 1;
        at += 2;
      }
    }
    this.at = at;
    this.count++;
  }

  /** The batch as the message's fields (a copy of just the written part). */
  toWire(): WireBatch {
    return { tasks: this.ints.slice(0, this.at), tables: this.tables };
  }
}

/** The task runs of a `compute` message. */
export function readComputeBatch(tasks: Int32Array, tables: readonly Int16Array[]): ComputeTask[] {
  const out: ComputeTask[] = [];
  let i = 0;
  while (i < tasks.length) {
    const n = tasks[i]!;
    const c = tasks[i + 1]!;
    const a = tasks[i + 2]!;
    const m = tasks[i + 3]!;
    const count = tasks[i + 4]!;
    i += 5;
    const args = new Array<ArgRef | null>(count);
    const who = new Array<Who>(count);
    for (let j = 0; j < count; j++) {
      const kind = tasks[i]!;
      if (kind === REF_NONE) {
        args[j] = null;
        i++;
      } else if (kind === REF_CHILDREN) {
        const flatten = tasks[i + 3] === 1 || undefined;
        args[j] = { k: "children", node: tasks[i + 1]!, width: tasks[i + 2]!, flatten };
        i += 4;
      } else {
        const node = tasks[i + 1]!;
        const child = tasks[i + 2]!;
        const flatten = tasks[i + 3] === 1 || undefined;
        const len = tasks[i + 4]!;
        i += 5;
        let path: number[] | undefined;
        if (len >= 0) {
          path = new Array<number>(len);
          for (let k = 0; k < len; k++) path[k] = tasks[i++]!;
        }
        args[j] = { k: "result", node, child, path, flatten };
      }
      const w = tasks[i++]!;
      if (w === WHO_NULL) who[j] = null;
      else if (w === WHO_TABLE) who[j] = tables[tasks[i++]!]!;
      else who[j] = w;
    }
    out.push({ n, c, a, m, args, who });
  }
  return out;
}
