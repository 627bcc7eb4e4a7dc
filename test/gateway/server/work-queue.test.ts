import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WorkQueue } from "../../../src/gateway/server/work-queue.ts";

describe("work queue - dedup, no concurrent processing, backoff", () => {
  it("an item put twice is handed out once", async () => {
    const q = new WorkQueue<string>();
    q.put("a");
    q.put("a");
    q.put("b");
    assert.equal(await q.get(), "a");
    assert.equal(await q.get(), "b");
    q.close();
    assert.equal(await q.get(), undefined);
  });

  it("an item put while processing is re-queued once it is done, not handed out twice", async () => {
    const q = new WorkQueue<string>();
    q.put("a");
    assert.equal(await q.get(), "a");
    q.put("a");
    let second: string | undefined;
    const waiting = q.get().then((v) => (second = v));
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(second, undefined);
    q.done("a");
    await waiting;
    assert.equal(second, "a");
    q.close();
  });

  it("backoff doubles per failure and resets", async () => {
    const q = new WorkQueue<string>(20, 1000);
    const keepAlive = setInterval(() => {}, 1000); // the queue's timers are unref'd
    const t0 = Date.now();
    q.putBackoff("a");
    assert.equal(await q.get(), "a");
    const first = Date.now() - t0;
    q.done("a");
    const t1 = Date.now();
    q.putBackoff("a");
    assert.equal(await q.get(), "a");
    const second = Date.now() - t1;
    assert.ok(first >= 15 && second >= 35, `${first} ${second}`);
    q.done("a");
    q.resetBackoff("a");
    q.close();
    clearInterval(keepAlive);
  });
});
