import assert from "node:assert/strict";
import { test } from "node:test";
import { GraphMemo } from "../../src/cluster/scheduler/graph-memo.ts";
import { encodeValue } from "../../src/cluster/wire/codec.ts";

const graph = (id: string) => ({ nodes: [{ id, key: id, args: [], upstream: [] }] });

test("graph memo - a client's same graph bytes give its decoded spec again; other bytes are decoded", () => {
  const memo = new GraphMemo();
  const a = memo.specOf(1, encodeValue(graph("a")));
  assert.deepEqual(a, graph("a"));
  // equal bytes in another buffer (a new frame) still match
  assert.equal(memo.specOf(1, Buffer.from(encodeValue(graph("a")))), a);
  const b = memo.specOf(1, encodeValue(graph("b")));
  assert.deepEqual(b, graph("b"));
  assert.notEqual(memo.specOf(1, encodeValue(graph("a"))), a, "only the last graph is kept");
});

test("graph memo - clients are apart, and a client that left is forgotten", () => {
  const memo = new GraphMemo();
  const bytes = encodeValue(graph("a"));
  const one = memo.specOf(1, bytes);
  const two = memo.specOf(2, bytes);
  assert.notEqual(one, two);
  assert.equal(memo.specOf(1, bytes), one);
  memo.forget(1);
  assert.notEqual(memo.specOf(1, bytes), one);
  assert.equal(memo.specOf(2, bytes), two);
});
