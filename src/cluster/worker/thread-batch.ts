import type { ArgRef } from "../../graph/index.ts";
import type { PackedDeps } from "./packed-deps.ts";
import type { ChainLink } from "./inline-chain.ts";
import type { PackedResults, PackedTasks, ThreadResult, ThreadTask } from "./thread-messages.ts";

export type { PackedResults, PackedTasks } from "./thread-messages.ts";

// Task runs and their results cross between the I/O loop and a task thread as a few typed arrays
// per batch rather than an object per task run: structured cloning of a 256-task batch of objects
// (each with its argument refs) was a third of a worker's I/O loop, and a result object per task
// run as much again on the thread's side. Typed arrays are transferred, not copied.

const ARG_NONE = 0;
const ARG_RESULT = 1;
const ARG_CHILDREN = 2;

/** A task run as the pool holds it: its number in the thread's order is `seq` once handed over. */
export type PackableTask = Omit<ThreadTask, "s"> & { readonly seq: number };

/** Scratch space packTasks writes into before copying out the batch's own array. */
let scratch = new Int32Array(4096);

function room(at: number, more: number): void {
  if (at + more <= scratch.length) return;
  const bigger = new Int32Array(Math.max(scratch.length * 2, at + more));
  bigger.set(scratch);
  scratch = bigger;
}

/**
 * Packs task runs: per task [s, run, n, c, a, m, dep, argCount, ...args, linkCount, ...links],
 * each arg being [0] (none), [1, node, child, flatten, pathLength, ...path] or
 * [2, node, width, flatten], each chain link [n, a, m, argCount, ...args].
 */
export function packTasks(list: readonly PackableTask[]): PackedTasks {
  const deps: PackedDeps[] = [];
  let at = 0;
  for (const t of list) {
    at = packHead(t, at, deps);
    at = packArgs(t.args, at);
    const chain = t.chain;
    room(at, 1);
    scratch[at++] = chain ? chain.length : 0;
    if (chain)
      for (const l of chain) {
        room(at, 3);
        scratch[at] = l.n;
        scratch[at + 1] = l.a;
        scratch[at + 2] = l.m;
        at = packArgs(l.args, at + 3);
      }
  }
  return { ints: scratch.slice(0, at), deps };
}

/** Writes a task run's [s, run, n, c, a, m, dep] at `at`; returns where it ended. */
function packHead(t: PackableTask, at: number, deps: PackedDeps[]): number {
  room(at, 8);
  const out = scratch;
  out[at] = t.seq;
  out[at + 1] = t.run;
  out[at + 2] = t.n;
  out[at + 3] = t.c;
  out[at + 4] = t.a;
  out[at + 5] = t.m;
  out[at + 6] = t.deps ? deps.push(t.deps) - 1 : -1;
  at += 7;
  return at;
}

/** Writes [argCount, ...args] at `at`; returns where it ended. */
function packArgs(args: PackableTask["args"], at: number): number {
  room(at, 1);
  scratch[at++] = args.length;
  for (const arg of args) {
    if (!arg || arg.k === "value") {
      room(at, 1);
      scratch[at++] = ARG_NONE;
    } else if (arg.k === "children") {
      room(at, 4);
      scratch[at] = ARG_CHILDREN;
      scratch[at + 1] = arg.node;
      scratch[at + 2] = arg.width;
      scratch[at + 3] = arg.flatten ? 1 : 0;
      at += 4;
    } else {
      const path = arg.path;
      room(at, 5 + (path?.length ?? 0));
      scratch[at] = ARG_RESULT;
      scratch[at + 1] = arg.node;
      scratch[at + 2] = arg.child;
      scratch[at + 3] = arg.flatten ? 1 : 0;
      scratch[at + 4] = path ? path.length : -1;
      at += 5;
      if (path) for (const i of path) scratch[at++] = i;
    }
  }
  return at;
}

/** The task runs of a packed batch, in order. */
export function unpackTasks(p: PackedTasks): ThreadTask[] {
  const ints = p.ints;
  const list: ThreadTask[] = [];
  let i = 0;
  while (i < ints.length) {
    const s = ints[i]!;
    const run = ints[i + 1]!;
    const n = ints[i + 2]!;
    const c = ints[i + 3]!;
    const a = ints[i + 4]!;
    const m = ints[i + 5]!;
    const dep = ints[i + 6]!;
    i += 7;
    const args = unpackArgs(ints, i);
    i = pos;
    const links = ints[i++]!;
    let chain: ChainLink[] | undefined;
    if (links > 0) {
      chain = [];
      for (let k = 0; k < links; k++) {
        const n = ints[i]!;
        const a = ints[i + 1]!;
        const m = ints[i + 2]!;
        chain.push({ n, a, m, args: unpackArgs(ints, i + 3) });
        i = pos;
      }
    }
    const deps = dep >= 0 ? p.deps[dep] : undefined;
    list.push(
      chain ? { run, n, c, a, m, args, deps, s, chain } : { run, n, c, a, m, args, deps, s },
    );
  }
  return list;
}

/** Where unpackArgs stopped reading (no tuple per task run). */
let pos = 0;

/** Reads [argCount, ...args] at `i`; returns them, and sets `pos` to where they ended. */
function unpackArgs(ints: Int32Array, i: number): (ArgRef | null)[] {
  const count = ints[i++]!;
  const args = new Array<ArgRef | null>(count);
  for (let j = 0; j < count; j++) {
    const kind = ints[i++]!;
    if (kind === ARG_NONE) args[j] = null;
    else if (kind === ARG_CHILDREN) {
      const flatten = ints[i + 2] === 1 || undefined;
      args[j] = { k: "children", node: ints[i]!, width: ints[i + 1]!, flatten };
      i += 3;
    } else {
      const node = ints[i]!;
      const child = ints[i + 1]!;
      const flatten = ints[i + 2] === 1 || undefined;
      const len = ints[i + 3]!;
      i += 4;
      let path: number[] | undefined;
      if (len >= 0) {
        path = new Array<number>(len);
        for (let k = 0; k < len; k++) path[k] = ints[i++]!;
      }
      args[j] = { k: "result", node, child, path, flatten };
    }
  }
  pos = i;
  return args;
}

const RESULT_INTS = 7;
/** Results this large are posted as they are rather than copied into the batch's blob. */
const LARGE_RESULT = 65536;

/** Collects a thread's results until they are posted; `take` packs them and starts over. */
export class ResultBuffer {
  private ints: number[] = [];
  private ms: number[] = [];
  private bytes: Uint8Array[] = [];
  private size = 0;
  private extra: [number, string?, string?, number[]?][] = [];
  private large: [number, Uint8Array][] = [];

  get length(): number {
    return this.ms.length;
  }

  add(
    s: number,
    run: number,
    n: number,
    c: number,
    code: number,
    ms: number,
    bytes?: Uint8Array,
    length = -1,
    message?: string,
    stack?: string,
    inner?: number[],
  ): void {
    const i = this.ms.length;
    if (bytes && bytes.length >= LARGE_RESULT) this.large.push([i, bytes]);
    else if (bytes) {
      this.bytes.push(bytes);
      this.size += bytes.length;
    }
    this.ints.push(s, run, n, c, code, length, this.size);
    this.ms.push(ms);
    if (message !== undefined || stack !== undefined || inner !== undefined)
      this.extra.push([i, message, stack, inner]);
  }

  /** The results so far, packed (their buffers are fresh, to be transferred), and empties the buffer. */
  take(): PackedResults {
    const blob = Buffer.allocUnsafeSlow(this.size);
    let off = 0;
    for (const b of this.bytes) {
      blob.set(b, off);
      off += b.length;
    }
    const p: PackedResults = {
      ints: new Int32Array(this.ints),
      ms: new Float64Array(this.ms),
      blob,
      extra: this.extra,
      large: this.large,
    };
    this.ints = [];
    this.ms = [];
    this.bytes = [];
    this.size = 0;
    this.extra = [];
    this.large = [];
    return p;
  }
}

/** The buffers to transfer with a packed batch. */
export function transferOf(p: PackedResults): ArrayBuffer[] {
  const list = [p.ints.buffer, p.ms.buffer, p.blob.buffer] as ArrayBuffer[];
  for (const [, b] of p.large) {
    const own = b.buffer instanceof ArrayBuffer && b.byteOffset === 0;
    if (own && b.byteLength === b.buffer.byteLength && !list.includes(b.buffer))
      list.push(b.buffer);
  }
  return list;
}

/** A packed batch as result objects; bytes are views of the batch's blob (no copy). */
export function unpackResults(p: PackedResults): ThreadResult[] {
  const { ints, ms, blob } = p;
  const count = ms.length;
  const list = new Array<ThreadResult>(count);
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  let start = 0;
  let x = 0;
  let y = 0;
  for (let i = 0; i < count; i++) {
    const o = i * RESULT_INTS;
    const end = ints[o + 6]!;
    const ex = p.extra[x]?.[0] === i ? p.extra[x++] : undefined;
    const code = ints[o + 4]!;
    list[i] = {
      s: ints[o]!,
      run: ints[o + 1]!,
      n: ints[o + 2]!,
      c: ints[o + 3]!,
      code,
      ms: ms[i]!,
      bytes:
        p.large[y]?.[0] === i
          ? asBuffer(p.large[y++]![1])
          : end > start
            ? buf.subarray(start, end)
            : undefined,
      length: code === 0 ? ints[o + 5]! : undefined,
      message: ex?.[1],
      stack: ex?.[2],
      inner: ex?.[3],
    };
    start = end;
  }
  return list;
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
