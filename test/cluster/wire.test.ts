import assert from "node:assert/strict";
import { once } from "node:events";
import net from "node:net";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  Connection,
  decodeFrameHead,
  type FrameBatch,
  type Message,
  unpackFrame,
} from "../../src/cluster/wire/connection.ts";
import { type Frame, FrameParser } from "../../src/cluster/wire/frame-parser.ts";
import {
  decodeMessage,
  decodeValue,
  encodeMessage,
  encodeValue,
} from "../../src/cluster/wire/codec.ts";
import { parseAddress } from "../../src/cluster/wire/address.ts";
import { AddressError } from "../../src/cluster/errors.ts";

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

describe("Connection", () => {
  /** Two Connections over a loopback TCP pair; `got` collects what the far end receives. */
  async function pair() {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const accepted = once(server, "connection");
    const near = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
    const [sock] = (await accepted) as [net.Socket];
    const a = new Connection(near);
    const b = new Connection(sock);
    const got: Message[] = [];
    b.onMessage = (m) => got.push(m);
    return {
      a,
      got,
      until: async (n: number) => {
        while (got.length < n) await sleep(1);
      },
      close: () => {
        a.close();
        b.close();
        server.close();
      },
    };
  }

  test("a lazy message goes with the next send, in order, or on its own within milliseconds", async () => {
    const p = await pair();
    try {
      p.a.sendLazy({ t: "ended", n: 1 });
      p.a.send({ t: "compute", n: 2 });
      await p.until(2);
      assert.deepEqual(
        p.got.map((m) => m.t),
        ["ended", "compute"],
      );
      const t0 = performance.now();
      p.a.sendLazy({ t: "release", n: 3 });
      await p.until(3);
      assert.equal(p.got[2]!.t, "release");
      assert.ok(performance.now() - t0 < 1000);
    } finally {
      p.close();
    }
  });

  test("what is queued and a bulk message go in one frame (one encoding, one write), in order", async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const accepted = once(server, "connection");
    const a = new Connection(net.connect((server.address() as net.AddressInfo).port, "127.0.0.1"));
    const [raw] = (await accepted) as [net.Socket];
    const parser = new FrameParser(decodeFrameHead);
    const frames: Frame<FrameBatch>[] = [];
    raw.on("data", (d: Buffer) => frames.push(...parser.push(d)));
    try {
      a.send({ t: "started" });
      a.sendLazy({ t: "forget" });
      a.sendBulk({ t: "result" }, [Buffer.from("v"), null]);
      a.send({ t: "after" });
      while (frames.length < 2) await sleep(1);
      const [first, second] = frames.map((f) => unpackFrame(f));
      assert.deepEqual(
        first!.map((m) => m.t),
        ["started", "forget", "result"],
      );
      assert.deepEqual(first![2]!.values, [Buffer.from("v"), null]);
      assert.deepEqual(
        second!.map((m) => m.t),
        ["after"],
      );
      await sleep(10); // the lazy message's timer was cleared: nothing more is written
      assert.equal(frames.length, 2);
    } finally {
      a.close();
      raw.destroy();
      server.close();
    }
  });

  test("large attachments arrive whole and in order with what is sent around them", async () => {
    const p = await pair();
    try {
      const big = Array.from({ length: 8 }, (_, i) => Buffer.alloc(300_000 + i, i));
      p.a.send({ t: "before" });
      p.a.sendBulk({ t: "data", id: 1 }, [big[0]!, null, Buffer.from("small"), ...big.slice(1)]);
      p.a.send({ t: "after" });
      p.a.sendBulk({ t: "data", id: 2 }, [big[7]!]);
      await p.until(4);
      assert.deepEqual(
        p.got.map((m) => m.t),
        ["before", "data", "after", "data"],
      );
      const values = p.got[1]!.values as (Buffer | null)[];
      assert.equal(values.length, 10);
      assert.equal(values[1], null);
      assert.equal(values[2]!.toString(), "small");
      for (const [i, v] of [values[0], ...values.slice(3)].entries()) assert.ok(v!.equals(big[i]!));
      assert.ok((p.got[3]!.values as Buffer[])[0]!.equals(big[7]!));
    } finally {
      p.close();
    }
  });
});
