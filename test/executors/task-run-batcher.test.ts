import assert from "node:assert/strict";
import { test } from "node:test";
import { TaskRunBatcher, type TaskRunUpdate } from "../../src/executors/index.ts";
import { eventually } from "../support/processes.ts";

function batcher() {
  const batches: (readonly TaskRunUpdate[])[] = [];
  const b = new TaskRunBatcher(["load", "square", "total"], (u) => batches.push(u), 0);
  return { b, batches };
}

test("task-run batcher - coalesces each task run to its latest state per flush, keeping its start and worker", () => {
  const { b, batches } = batcher();
  b.set(0, -1, "Pending");
  b.set(1, -1, "Pending");
  b.set(0, -1, "Running", { startedAt: 100, worker: "w1" });
  b.set(0, -1, "Success", { endedAt: 150 });
  b.set(1, 3, "Running", { startedAt: 160 });
  b.flush();
  b.set(1, 3, "Retrying", { message: "boom" });
  b.set(1, 3, "Running", { startedAt: 200 });
  b.set(1, 2, "Running", { startedAt: 210 });
  b.set(1, 3, "Failed", { endedAt: 220, message: "boom again" });
  b.flush();
  b.flush(); // nothing changed: no batch
  assert.deepEqual(batches, [
    [
      {
        node: 0,
        task: "load",
        mapIndex: -1,
        state: "Success",
        startedAt: 100,
        endedAt: 150,
        worker: "w1",
      },
      { node: 1, task: "square", mapIndex: -1, state: "Pending" },
      { node: 1, task: "square", mapIndex: 3, state: "Running", startedAt: 160 },
    ],
    [
      {
        node: 1,
        task: "square",
        mapIndex: 3,
        state: "Failed",
        startedAt: 200,
        endedAt: 220,
        message: "boom again",
      },
      { node: 1, task: "square", mapIndex: 2, state: "Running", startedAt: 210 },
    ],
  ]);
});

test("task-run batcher - a retry's message is not carried over to its next attempt", () => {
  const { b, batches } = batcher();
  b.set(2, -1, "Retrying", { message: "flaky" });
  b.set(2, -1, "Running", { startedAt: 5 });
  b.flush();
  assert.deepEqual(batches, [
    [{ node: 2, task: "total", mapIndex: -1, state: "Running", startedAt: 5 }],
  ]);
});

test("task-run batcher - flushes on its own after the interval, once per interval", async () => {
  const batches: (readonly TaskRunUpdate[])[] = [];
  const b = new TaskRunBatcher(["a"], (u) => batches.push(u), 20);
  b.set(0, -1, "Running", { startedAt: 1 });
  b.set(0, -1, "Success", { endedAt: 2 });
  await eventually("the batcher flushed", () => batches.length > 0);
  assert.deepEqual(batches, [
    [{ node: 0, task: "a", mapIndex: -1, state: "Success", startedAt: 1, endedAt: 2 }],
  ]);
  b.close();
});

test("task-run batcher - close drops what is pending and stops the timer", async () => {
  const batches: (readonly TaskRunUpdate[])[] = [];
  const b = new TaskRunBatcher(["a"], (u) => batches.push(u), 10);
  b.set(0, -1, "Running");
  b.close();
  await new Promise((r) => setTimeout(r, 40));
  b.flush();
  assert.deepEqual(batches, []);
});
