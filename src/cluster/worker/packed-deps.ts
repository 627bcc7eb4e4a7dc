import { inputKey, inputKeyNode } from "./input-key.ts";

/**
 * A task's input bytes, packed into one buffer for postMessage: cloning many small views would
 * copy each one's whole backing store (often a large network frame), and one copy is much
 * cheaper. Input i is result (nodes[i], children[i]), bytes blob[ends[i-1] .. ends[i]).
 */
export interface PackedDeps {
  readonly nodes: Int32Array;
  readonly children: Int32Array;
  readonly blob: Buffer;
  readonly ends: Int32Array;
}

/** Collects a task's inputs (node, child, bytes) and packs them; large sets are copied in chunks between yields. */
export class DepsBuilder {
  private readonly nodes: number[] = [];
  private readonly children: number[] = [];
  private readonly values: Uint8Array[] = [];
  private bytes = 0;

  get count(): number {
    return this.values.length;
  }

  add(node: number, child: number, value: Uint8Array): void {
    this.nodes.push(node);
    this.children.push(child);
    this.values.push(value);
    this.bytes += value.length;
  }

  pack(): PackedDeps {
    const p = this.begin();
    this.copy(p, 0, this.values.length, 0);
    return p;
  }

  /** Packs, awaiting `pause()` after every `chunk` inputs so that the event loop keeps turning. */
  async packChunked(chunk: number, pause: () => Promise<void>): Promise<PackedDeps> {
    const p = this.begin();
    let off = 0;
    for (let i = 0; i < this.values.length; i += chunk) {
      off = this.copy(p, i, Math.min(this.values.length, i + chunk), off);
      await pause();
    }
    return p;
  }

  private begin(): PackedDeps {
    const n = this.values.length;
    return {
      nodes: new Int32Array(this.nodes),
      children: new Int32Array(this.children),
      blob: Buffer.allocUnsafeSlow(this.bytes),
      ends: new Int32Array(n),
    };
  }

  private copy(p: PackedDeps, from: number, to: number, off: number): number {
    for (let i = from; i < to; i++) {
      const v = this.values[i]!;
      p.blob.set(v, off);
      off += v.length;
      p.ends[i] = off;
    }
    return off;
  }
}

/** Index of a packed input by its inputKey, for the thread's lookups. */
export function indexDeps(p: PackedDeps): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < p.nodes.length; i++) m.set(inputKey(p.nodes[i]!, p.children[i]!), i);
  return m;
}

/** The bytes of packed input i. */
export function depBytes(p: PackedDeps, i: number): Uint8Array {
  return p.blob.subarray(i === 0 ? 0 : p.ends[i - 1]!, p.ends[i]!);
}

/** One input of a task run: a result's bytes, held by reference until the task goes to a thread. */
export interface TaskInput {
  readonly node: number;
  readonly child: number;
  readonly bytes: Buffer;
  /**
   * Shared by many task runs (a list that map children index into, an `unmapped` result): the
   * thread keeps it decoded until the node is released, so it crosses to the thread and is decoded
   * once per thread rather than once per task run.
   */
  readonly sticky: boolean;
}

/** The inputs of one batch of task runs, packed once (each distinct result once) for postMessage. */
export interface BatchInputs extends PackedDeps {
  readonly runs: Int32Array;
  /** 1 where the input is sticky (see TaskInput). */
  readonly sticky: Uint8Array;
}

/** Packs a batch's inputs, each (run, node, child) once. */
export class BatchPacker {
  private readonly runs: number[] = [];
  private readonly nodes: number[] = [];
  private readonly children: number[] = [];
  private readonly sticky: number[] = [];
  private readonly values: Uint8Array[] = [];
  private readonly seen = new Map<number, Set<number>>();
  private bytes = 0;

  add(run: number, input: TaskInput): void {
    let s = this.seen.get(run);
    if (!s) this.seen.set(run, (s = new Set()));
    const key = inputKey(input.node, input.child);
    if (s.has(key)) return;
    s.add(key);
    this.runs.push(run);
    this.nodes.push(input.node);
    this.children.push(input.child);
    this.sticky.push(input.sticky ? 1 : 0);
    this.values.push(input.bytes);
    this.bytes += input.bytes.length;
  }

  get byteLength(): number {
    return this.bytes;
  }

  /** The packed inputs; undefined when the batch has none (a map over a Parameter). */
  pack(): BatchInputs | undefined {
    if (this.values.length === 0) return undefined;
    const blob = Buffer.allocUnsafeSlow(this.bytes);
    const ends = new Int32Array(this.values.length);
    let off = 0;
    for (let i = 0; i < this.values.length; i++) {
      blob.set(this.values[i]!, off);
      off += this.values[i]!.length;
      ends[i] = off;
    }
    return {
      runs: new Int32Array(this.runs),
      nodes: new Int32Array(this.nodes),
      children: new Int32Array(this.children),
      sticky: new Uint8Array(this.sticky),
      blob,
      ends,
    };
  }
}

/**
 * The sticky inputs (see TaskInput) one runner (a task thread, or the I/O loop's) holds decoded,
 * by run, as inputKeys: each is packed for it once.
 */
export class HeldInputs {
  private readonly byRun = new Map<number, Set<number>>();

  /** Adds a task run's inputs to `packer`, except the sticky ones the runner already holds. */
  pack(run: number, inputs: readonly TaskInput[], packer: BatchPacker): void {
    for (const input of inputs) {
      if (input.sticky) {
        let keys = this.byRun.get(run);
        if (!keys) this.byRun.set(run, (keys = new Set()));
        const key = inputKey(input.node, input.child);
        if (keys.has(key)) continue;
        keys.add(key);
      }
      packer.add(run, input);
    }
  }

  /** The runner dropped a node's results: whether it held any. */
  release(run: number, node: number): boolean {
    const keys = this.byRun.get(run);
    let held = false;
    if (keys)
      for (const k of keys)
        if (inputKeyNode(k) === node) {
          keys.delete(k);
          held = true;
        }
    return held;
  }

  forget(run: number): void {
    this.byRun.delete(run);
  }
}
