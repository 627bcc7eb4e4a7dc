import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FrameError } from "../../src/cluster/errors.ts";
import { encodeMessage } from "../../src/cluster/wire/codec.ts";
import {
  decodeFrameHead,
  type FrameBatch,
  unpackFrame,
} from "../../src/cluster/wire/connection.ts";
import {
  DIRECT_READ_MIN,
  type Frame,
  FrameParser,
  framePrefix,
} from "../../src/cluster/wire/frame-parser.ts";

type Msg = { t: string; n?: number; values?: (Buffer | null)[] };

/** The bytes Connection writes for one message with `values` as attachments (null: -1). */
function frameOf(msg: object, values: readonly (Buffer | null)[] = []): Buffer {
  const head = encodeMessage([
    values.length ? { ...msg, $att: values.map((v) => (v ? v.length : -1)) } : msg,
  ]);
  const att = values.filter((v): v is Buffer => v !== null);
  const bytes = att.reduce((s, v) => s + v.length, 0);
  return Buffer.concat([framePrefix(head.length, bytes), head, ...att]);
}

const parser = () => new FrameParser(decodeFrameHead);
const messages = (frames: readonly Frame<FrameBatch>[]) =>
  frames.flatMap((f) => unpackFrame<Msg>(f));

/** Feeds `bytes` in pieces of `size` bytes, as `data` chunks or through a reused read buffer. */
function feed(bytes: Buffer, size: number, mode: "owned" | "transient" | "direct"): Msg[] {
  const p = parser();
  const out: Msg[] = [];
  const scratch = Buffer.alloc(size);
  for (let off = 0; off < bytes.length;) {
    const target = mode === "direct" ? p.directTarget() : undefined;
    if (target) {
      const n = Math.min(target.length, size * 3, bytes.length - off);
      bytes.copy(target, 0, off, off + n);
      off += n;
      out.push(...messages(p.pushDirect(n)));
      continue;
    }
    const n = Math.min(size, bytes.length - off);
    if (mode === "owned") out.push(...messages(p.push(Buffer.from(bytes.subarray(off, off + n)))));
    else {
      bytes.copy(scratch, 0, off, off + n);
      out.push(...messages(p.pushTransient(scratch.subarray(0, n))));
      scratch.fill(0xee); // a reused buffer: whatever the parser kept must have been copied
    }
    off += n;
  }
  return out;
}

const big = (n: number, seed: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff));

describe("FrameParser", () => {
  const mixed = Buffer.concat([
    frameOf({ t: "a", n: 1 }),
    frameOf({ t: "b", n: 2 }, [Buffer.from("xyz"), null, Buffer.alloc(0), big(70_000, 1), null]),
    frameOf({ t: "c", n: 3 }, [Buffer.alloc(0)]),
    frameOf({ t: "d", n: 4 }, [null]),
    frameOf({ t: "e", n: 5 }, [big(200_001, 2), big(65_536, 3), Buffer.from("!")]),
  ]);

  function check(got: Msg[]) {
    assert.deepEqual(
      got.map((m) => m.t),
      ["a", "b", "c", "d", "e"],
    );
    assert.equal(got[0]!.values, undefined);
    assert.deepEqual(got[1]!.values, [
      Buffer.from("xyz"),
      null,
      Buffer.alloc(0),
      big(70_000, 1),
      null,
    ]);
    assert.deepEqual(got[2]!.values, [Buffer.alloc(0)]);
    assert.deepEqual(got[3]!.values, [null]);
    assert.deepEqual(got[4]!.values, [big(200_001, 2), big(65_536, 3), Buffer.from("!")]);
  }

  test("fed byte by byte, each frame comes out exactly when its last byte arrives", () => {
    const frames = [
      frameOf({ t: "x" }),
      frameOf({ t: "y" }, [Buffer.from([0, 1, 255]), null, Buffer.alloc(0)]),
    ];
    const p = parser();
    const ends: number[] = [];
    const got: Msg[] = [];
    const bytes = Buffer.concat(frames);
    for (let i = 0; i < bytes.length; i++) {
      const out = messages(p.push(bytes.subarray(i, i + 1)));
      if (out.length) ends.push(i);
      got.push(...out);
    }
    assert.deepEqual(ends, [frames[0]!.length - 1, bytes.length - 1]);
    assert.deepEqual(got[1]!.values, [Buffer.from([0, 1, 255]), null, Buffer.alloc(0)]);
  });

  for (const mode of ["owned", "transient", "direct"] as const)
    test(`${mode} reads: values spanning chunks, at chunk edges, empty and null, in any chunking`, () => {
      for (const size of [1, 7, 997, 4096, 65_536, 70_000 + 50, mixed.length])
        check(feed(mixed, size, mode));
    });

  test("a value ending exactly at a chunk edge, and one starting at the next chunk", () => {
    const f = frameOf({ t: "v" }, [big(1000, 5), big(1000, 6)]);
    const firstEnds = f.length - 1000; // the first value's last byte is the chunk's last
    for (const mode of ["owned", "transient"] as const) {
      const p = parser();
      const chunk = (a: number, b: number) => Buffer.from(f.subarray(a, b));
      const push = (c: Buffer) => (mode === "owned" ? p.push(c) : p.pushTransient(c));
      assert.equal(push(chunk(0, firstEnds)).length, 0);
      const [m] = messages(push(chunk(firstEnds, f.length)));
      assert.deepEqual(m!.values, [big(1000, 5), big(1000, 6)]);
    }
  });

  test("a value inside one chunk is a slice of it; one spanning chunks is its own buffer of its size", () => {
    const f = frameOf({ t: "v" }, [big(100, 1), big(100_000, 2)]);
    const p = parser();
    const first = Buffer.from(f.subarray(0, 50_000));
    p.push(first);
    const [m] = messages(p.push(Buffer.from(f.subarray(50_000))));
    const [small, large] = m!.values!;
    assert.equal(small!.buffer, first.buffer, "a slice, not a copy");
    assert.equal(large!.byteLength, 100_000);
    assert.equal(large!.buffer.byteLength, 100_000, "no bigger buffer pinned behind it");
  });

  test("a large value is read straight into its buffer: directTarget is exactly its missing bytes", () => {
    const value = big(1 << 20, 9);
    const f = frameOf({ t: "data", n: 1 }, [value, Buffer.from("tail")]);
    const p = parser();
    const headBytes = f.length - value.length - 4;
    assert.equal(p.directTarget(), undefined);
    p.pushTransient(f.subarray(0, headBytes + 1000));
    const target = p.directTarget()!;
    assert.equal(target.length, value.length - 1000);
    f.copy(target, 0, headBytes + 1000, headBytes + value.length - 10);
    assert.equal(p.pushDirect(target.length - 10).length, 0);
    assert.equal(
      p.directTarget(),
      undefined,
      `under ${DIRECT_READ_MIN} bytes left: through the read buffer`,
    );
    const [m] = messages(p.pushTransient(f.subarray(headBytes + value.length - 10)));
    assert.ok(m!.values![0]!.equals(value));
    assert.equal(m!.values![1]!.toString(), "tail");
    assert.throws(() => p.pushDirect(1), RangeError);
  });

  test("many small values in one frame and many frames in one chunk", () => {
    const values = Array.from({ length: 5000 }, (_, i) =>
      i % 7 === 0 ? null : Buffer.from(String(i)),
    );
    const frames = Array.from({ length: 200 }, (_, i) =>
      frameOf({ t: "s", n: i }, values.slice(i, i + 3)),
    );
    const bytes = Buffer.concat([frameOf({ t: "many" }, values), ...frames]);
    for (const mode of ["owned", "transient"] as const) {
      const got = feed(bytes, bytes.length, mode);
      assert.equal(got.length, 201);
      assert.deepEqual(got[0]!.values, values);
      assert.deepEqual(got[200]!.values, values.slice(199, 202));
    }
  });

  describe("corrupt input is a FrameError that says what was wrong", () => {
    const rejects = (bytes: Buffer, why: RegExp) =>
      assert.throws(
        () => parser().push(bytes),
        (e: unknown) =>
          e instanceof FrameError && e.code === "FG_CLUSTER_FRAME" && why.test(e.message),
      );
    test("a length over the limit", () =>
      rejects(
        Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1]),
        /exceeds the 2147483647-byte limit/,
      ));
    test("a head longer than its frame, or empty", () => {
      rejects(
        Buffer.from([0, 0, 0, 10, 0, 0, 0, 7]),
        /frame of 10 bytes announces a head of 7 bytes/,
      );
      rejects(Buffer.from([0, 0, 0, 10, 0, 0, 0, 0]), /head of 0 bytes/);
    });
    test("a head that is not a batch", () =>
      rejects(
        Buffer.concat([framePrefix(3), Buffer.from([0xc1, 0xc1, 0xc1])]),
        /head of 3 bytes could not be decoded/,
      ));
    test("attachment lengths that do not add up to the frame's", () => {
      const head = encodeMessage([{ t: "x", $att: [5, 5] }]);
      rejects(
        Buffer.concat([framePrefix(head.length, 11), head]),
        /has a \d+-byte head and 10 bytes of attachments/,
      );
      const bad = encodeMessage([{ t: "x", $att: [-2] }]);
      rejects(Buffer.concat([framePrefix(bad.length), bad]), /attachment length -2/);
    });
  });
});
