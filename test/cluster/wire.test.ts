import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type Frame,
  FrameParser,
  FrameReader,
  frameHeader,
} from "../../src/cluster/wire/frame-parser.ts";
import {
  decodeMessage,
  decodeValue,
  encodeMessage,
  encodeValue,
} from "../../src/cluster/wire/codec.ts";
import { parseAddress } from "../../src/cluster/wire/address.ts";
import { AddressError, FrameError } from "../../src/cluster/errors.ts";

const frame = (payload: Buffer) => Buffer.concat([frameHeader(payload.length), payload]);

describe("FrameParser", () => {
  test("fed byte by byte, it yields each frame exactly when its last byte arrives", () => {
    const payloads = [
      Buffer.from("hello"),
      Buffer.alloc(0),
      Buffer.from([0, 1, 2, 255]),
      Buffer.alloc(300, 7),
    ];
    const bytes = Buffer.concat(payloads.map(frame));
    const p = new FrameParser();
    const got: Buffer[] = [];
    const ends: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const out = p.push(bytes.subarray(i, i + 1));
      for (const f of out) {
        got.push(Buffer.concat(f));
        ends.push(i);
      }
    }
    assert.deepEqual(got, payloads);
    let off = 0;
    const expectedEnds = payloads.map((pl) => (off += 4 + pl.length) - 1);
    assert.deepEqual(ends, expectedEnds);
  });

  test("many frames in one chunk, and a frame split over many chunks", () => {
    const p = new FrameParser();
    const a = Buffer.from("a".repeat(10));
    const b = Buffer.from("b".repeat(70_000));
    const all = Buffer.concat([frame(a), frame(b), frame(a)]);
    assert.deepEqual(
      p.push(all).map((x) => Buffer.concat(x).toString()),
      [a.toString(), b.toString(), a.toString()],
    );
    const q = new FrameParser();
    const out: Frame[] = [];
    for (let i = 0; i < all.length; i += 997) out.push(...q.push(all.subarray(i, i + 997)));
    assert.equal(out.length, 3);
    assert.ok(Buffer.concat(out[1]!).equals(b));
    assert.equal(out[1]!.length, Math.ceil((70_000 + 4 + 14) / 997), "pieces, not a copy");
  });

  test("a reader slices inside a piece, joins across pieces and refuses to read past the end", () => {
    const chunk = Buffer.from("abcdefgh");
    const r = new FrameReader([chunk.subarray(0, 3), Buffer.alloc(0), chunk.subarray(3)]);
    const ab = r.take(2);
    assert.equal(ab.buffer, chunk.buffer, "a read inside one piece is a slice of it");
    assert.equal(ab.toString(), "ab");
    assert.equal(r.take(0).length, 0);
    assert.equal(r.take(4).toString(), "cdef");
    assert.throws(() => r.take(3), FrameError);
  });

  test("a length prefix over the limit is a FrameError", () => {
    const p = new FrameParser();
    assert.throws(() => p.push(Buffer.from([0xff, 0xff, 0xff, 0xff])), FrameError);
  });
});

describe("codecs", () => {
  test("values round-trip Map, Set, Date, BigInt, typed arrays, Buffer and cycles", () => {
    const cyc: Record<string, unknown> = { n: 1 };
    cyc.self = cyc;
    const v = {
      map: new Map<unknown, unknown>([
        [1, "a"],
        ["k", new Set([1n])],
      ]),
      date: new Date(123),
      big: -(2n ** 80n),
      i16: new Int16Array([1, -2]),
      f64: new Float64Array([0.5]),
      buf: Buffer.from("xyz"),
      cyc,
      undef: undefined,
      nan: NaN,
    };
    const back = decodeValue<typeof v>(encodeValue(v));
    assert.deepEqual(back.map, v.map);
    assert.equal(back.date.getTime(), 123);
    assert.equal(back.big, v.big);
    assert.deepEqual(back.i16, v.i16);
    assert.deepEqual(back.f64, v.f64);
    assert.equal(Buffer.from(back.buf).toString(), "xyz");
    assert.equal((back.cyc as Record<string, unknown>).self, back.cyc);
    assert.ok(Number.isNaN(back.nan));
  });

  test("a function value is rejected", () => {
    assert.throws(() => encodeValue({ f: () => 1 }), /could not be cloned/);
  });

  test("protocol messages keep typed arrays and byte strings", () => {
    const m = [{ t: "compute", who: [new Int16Array([3, -1]), 2, null], bytes: Buffer.from([9]) }];
    const back = decodeMessage<typeof m>(encodeMessage(m));
    assert.deepEqual(back[0]!.who[0], new Int16Array([3, -1]));
    assert.ok(Buffer.from([9]).equals(back[0]!.bytes));
  });
});

describe("addresses", () => {
  test("parses tls, tcp, ws and wss, and rejects others", () => {
    assert.deepEqual(parseAddress("tls://127.0.0.1:8786"), {
      scheme: "tls",
      host: "127.0.0.1",
      port: 8786,
      url: "tls://127.0.0.1:8786",
    });
    assert.equal(parseAddress("wss://gw.example:443/clusters/a/scheduler").port, 443);
    assert.equal(parseAddress("ws://gw/clusters/a/scheduler").port, 80);
    assert.throws(() => parseAddress("http://x:1"), AddressError);
    assert.throws(() => parseAddress("nonsense"), AddressError);
  });
});
