import assert from "node:assert/strict";
import { test } from "node:test";
import { GraphMemo } from "../../src/cluster/graph-memo.ts";
import { encodeValue } from "../../src/cluster/wire/codec.ts";

const graph = (id: string) => ({ nodes: [{ id, key: id, args: [], upstream: [] }] });

test("graph memo - a client's same graph bytes give its decoded spec again; other bytes are decoded", () => {
  const memo = new GraphMemo<number>();
  const a = memo.specOf(1, encodeValue(graph("a")));
  assert.deepEqual(a, graph("a"));
  // equal bytes in another buffer (a new frame) still match
  assert.equal(memo.specOf(1, Buffer.from(encodeValue(graph("a")))), a);
  const b = memo.specOf(1, encodeValue(graph("b")));
  assert.deepEqual(b, graph("b"));
  assert.notEqual(memo.specOf(1, encodeValue(graph("a"))), a, "only the last graph is kept");
});

test("graph memo - clients are apart, and a client that left is forgotten", () => {
  const memo = new GraphMemo<number>();
  const bytes = encodeValue(graph("a"));
  const one = memo.specOf(1, bytes);
  const two = memo.specOf(2, bytes);
  assert.notEqual(one, two);
  assert.equal(memo.specOf(1, bytes), one);
  memo.forget(1);
  assert.notEqual(memo.specOf(1, bytes), one);
  assert.equal(memo.specOf(2, bytes), two);
});

test("graph memo - it keeps its own copy of the bytes (a frame's buffer is reused), and a bounded number of keys", () => {
  const memo = new GraphMemo<string>(2);
  const frame = Buffer.from(encodeValue(graph("a")));
  const a = memo.specOf("f#a", frame);
  frame.fill(0);
  assert.equal(memo.specOf("f#a", encodeValue(graph("a"))), a);
  memo.specOf("f#b", encodeValue(graph("b")));
  memo.specOf("f#c", encodeValue(graph("c"))); // a third key: the memo starts over
  assert.notEqual(memo.specOf("f#a", encodeValue(graph("a"))), a);
});
