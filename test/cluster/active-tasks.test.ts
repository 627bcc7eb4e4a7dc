import assert from "node:assert/strict";
import { test } from "node:test";
import { ActiveTasks } from "../../src/cluster/scheduler/active-tasks.ts";

const rec = (node: number, child: number, tag = "") => ({ node, child, tag });

test("active tasks - found by (node, child), whole nodes and map children apart; replaced in place; deleted once", () => {
  const a = new ActiveTasks<ReturnType<typeof rec>>();
  a.set(rec(0, -1));
  a.set(rec(1, 0));
  a.set(rec(1, 5));
  a.set(rec(2, 0));
  assert.equal(a.size, 4);
  assert.deepEqual(a.get(0, -1), rec(0, -1));
  assert.deepEqual(a.get(1, 5), rec(1, 5));
  assert.equal(a.get(1, 1), undefined);
  assert.equal(a.get(3, 0), undefined, "a node with no child held");
  assert.equal(a.get(1, 100_000), undefined, "past the node's slots");
  a.set(rec(1, 5, "again"));
  assert.equal(a.size, 4, "the same task run is replaced, not added");
  assert.equal(a.get(1, 5)?.tag, "again");
  assert.equal(a.delete(1, 5), true);
  assert.equal(a.delete(1, 5), false);
  assert.equal(a.delete(0, -1), true);
  assert.equal(a.delete(0, -1), false);
  assert.equal(a.size, 2);
  assert.deepEqual([...a.values()].map((r) => [r.node, r.child]).sort(), [
    [1, 0],
    [2, 0],
  ]);
  a.clear();
  assert.equal(a.size, 0);
  assert.equal(a.get(1, 0), undefined);
});

test("active tasks - a map's children come and go by the hundred thousand: slots are reused, every one found", () => {
  const a = new ActiveTasks<ReturnType<typeof rec>>();
  const window = 2048;
  for (let c = 0; c < 200_000; c++) {
    a.set(rec(3, c));
    if (c >= window) assert.equal(a.delete(3, c - window), true);
  }
  assert.equal(a.size, window);
  for (let c = 200_000 - window; c < 200_000; c++) assert.equal(a.get(3, c)?.child, c);
  assert.equal(a.get(3, 200_000 - window - 1), undefined);
  assert.equal([...a.values()].length, window, "each one held is listed once");
});
