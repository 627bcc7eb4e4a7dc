import assert from "node:assert/strict";
import { test } from "node:test";
import type { ArgRef } from "../../src/graph/index.ts";
import type { Who } from "../../src/cluster/messages.ts";
import { ComputeBatch, readComputeBatch } from "../../src/cluster/wire/compute-batch.ts";
import { decodeMessage, encodeMessage } from "../../src/cluster/wire/codec.ts";

test("compute batch - every argument form and input location survives the wire", () => {
  const table = new Int16Array([3, -1, 2]);
  const tasks: { n: number; c: number; a: number; m: number; args: ArgRef[]; who: Who[] }[] = [
    { n: 0, c: -1, a: 1, m: 0, args: [], who: [] },
    {
      n: 5,
      c: 70_000,
      a: 3,
      m: 2,
      args: [
        { k: "value", value: 9 },
        { k: "result", node: 1, child: -1, path: [70_000, 2] },
        { k: "result", node: 2, child: 7, flatten: true },
        { k: "children", node: 4, width: 3 },
        { k: "children", node: 4, width: 3, flatten: true },
      ],
      who: [null, 1, -1, table, table],
    },
  ];
  const batch = new ComputeBatch();
  // enough task runs to grow the batch's buffer several times
  for (let i = 0; i < 500; i++)
    for (const t of tasks) batch.push(t.n, t.c, t.a, t.m, t.args, t.who);
  const msg = decodeMessage<{ tasks: Int32Array; tables: Int16Array[] }>(
    encodeMessage({ t: "compute", run: 1, ...batch.toWire() }),
  );
  const got = readComputeBatch(msg.tasks, msg.tables);
  assert.equal(got.length, 1000);
  assert.equal(batch.count, 1000);
  const expected = tasks.map((t) => ({
    ...t,
    // value arguments travel as null (the worker reads them from the graph)
    args: t.args.map((a) =>
      a.k === "value"
        ? null
        : a.k === "result"
          ? { k: "result", node: a.node, child: a.child, path: a.path, flatten: a.flatten }
          : { k: "children", node: a.node, width: a.width, flatten: a.flatten },
    ),
  }));
  assert.deepEqual(got.slice(0, 2), expected);
  assert.deepEqual(got.slice(998), expected);
});
