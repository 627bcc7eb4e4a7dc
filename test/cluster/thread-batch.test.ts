import assert from "node:assert/strict";
import { test } from "node:test";
import { MessageChannel, receiveMessageOnPort } from "node:worker_threads";
import {
  ResultBuffer,
  packTasks,
  transferOf,
  unpackResults,
  unpackTasks,
  type PackedResults,
} from "../../src/cluster/worker/thread-batch.ts";

test("thread batch - task runs cross as one array, with every argument form", () => {
  const deps = {
    nodes: new Int32Array([1]),
    children: new Int32Array([0]),
    blob: Buffer.from([1]),
    ends: new Int32Array([1]),
  };
  const tasks = [
    { seq: 0, run: 1, n: 2, c: -1, a: 1, m: 0, args: [] },
    {
      seq: 7,
      run: 3,
      n: 4,
      c: 5,
      a: 2,
      m: 1,
      args: [
        null,
        { k: "value" as const, value: 1 },
        { k: "result" as const, node: 1, child: -1, path: [5, 0] },
        { k: "result" as const, node: 1, child: 2, flatten: true },
        { k: "children" as const, node: 3, width: 9, flatten: true },
      ],
      deps,
    },
  ];
  const got = unpackTasks(packTasks(tasks));
  assert.deepEqual(got[0], { run: 1, n: 2, c: -1, a: 1, m: 0, args: [], deps: undefined, s: 0 });
  assert.deepEqual(got[1]!.args, [
    null,
    null,
    { k: "result", node: 1, child: -1, path: [5, 0], flatten: undefined },
    { k: "result", node: 1, child: 2, path: undefined, flatten: true },
    { k: "children", node: 3, width: 9, flatten: true },
  ]);
  assert.equal(got[1]!.deps, deps);
  assert.equal(got[1]!.s, 7);
});

test("thread batch - results cross in one message, large ones moved rather than copied", () => {
  const r = new ResultBuffer();
  const big = Buffer.allocUnsafeSlow(1 << 20).fill(7);
  r.add(0, 1, 2, 0, 0, 0.5, Buffer.from([1, 2, 3]), -1);
  r.add(1, 1, 2, 1, 1, 1.5, undefined, -1, "boom", "stack");
  r.add(2, 1, 2, 2, 0, 2.5, big, 4, undefined, undefined, [1, -1, 2, 0]);
  r.add(3, 1, 2, 3, 0, 3.5, Buffer.from([9]), 3);
  assert.equal(r.length, 4);
  const packed = r.take();
  assert.equal(r.length, 0);
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(packed, transferOf(packed));
  assert.equal(big.length, 0, "the large result's buffer was moved");
  const list = unpackResults(receiveMessageOnPort(port2)!.message as PackedResults);
  port1.close();
  assert.deepEqual(
    list.map((x) => [x.s, x.c, x.code, x.ms, x.bytes && [...x.bytes.subarray(0, 3)], x.length]),
    [
      [0, 0, 0, 0.5, [1, 2, 3], -1],
      [1, 1, 1, 1.5, undefined, undefined],
      [2, 2, 0, 2.5, [7, 7, 7], 4],
      [3, 3, 0, 3.5, [9], 3],
    ],
  );
  assert.equal(list[2]!.bytes!.length, 1 << 20);
  assert.deepEqual(list[2]!.inner, [1, -1, 2, 0]);
  assert.equal(list[1]!.message, "boom");
  assert.equal(list[1]!.stack, "stack");
});
