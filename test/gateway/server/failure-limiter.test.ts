import assert from "node:assert/strict";
import { test } from "node:test";
import { FailureLimiter } from "../../../src/gateway/server/auth/failure-limiter.ts";

test("failure limiter - blocks a key after max failures in the window, for the rest of the window", () => {
  const l = new FailureLimiter(3, 60_000);
  const t0 = 1_000_000;
  for (let i = 0; i < 3; i++) {
    assert.equal(l.retryAfterS("1.2.3.4", t0 + i), 0);
    l.begin("1.2.3.4", t0 + i);
  }
  assert.equal(l.retryAfterS("1.2.3.4", t0 + 10), 60);
  assert.equal(l.retryAfterS("5.6.7.8", t0 + 10), 0, "other keys are not affected");
  assert.equal(l.retryAfterS("1.2.3.4", t0 + 30_000), 30);
  assert.equal(l.retryAfterS("1.2.3.4", t0 + 60_001), 0, "the oldest failure left the window");
});

test("failure limiter - a success takes back its own attempt; concurrent attempts count at once", () => {
  const l = new FailureLimiter(2, 60_000);
  const a = l.begin("u", 1);
  const b = l.begin("u", 2);
  assert.ok(l.retryAfterS("u", 3) > 0, "two attempts in flight already fill the limit");
  l.succeeded("u", a);
  assert.equal(l.retryAfterS("u", 3), 0);
  l.succeeded("u", b);
  l.begin("u", 4);
  assert.equal(l.retryAfterS("u", 5), 0);
});

test("failure limiter - the number of keys stays bounded", () => {
  const l = new FailureLimiter(1, 60_000, 100);
  for (let i = 0; i < 1000; i++) l.begin(`k${i}`, i);
  assert.ok(l.retryAfterS("k999", 1000) > 0, "the newest key is still limited");
  assert.equal(l.retryAfterS("k0", 1000), 0, "the oldest keys were forgotten");
});
