import { test } from "node:test";
import assert from "node:assert/strict";
import { ProgressDisplay } from "../../src/cli/progress-display.ts";
import { Flow, LocalExecutor, task } from "flowgate";
import type { TaskProgress } from "../../src/graph/progress.ts";

function fakeStream(isTTY: boolean) {
  let text = "";
  return {
    stream: { isTTY, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream,
    text: () => text,
  };
}

const double = task(function progressDouble(x: number) {
  return x * 2;
});
const failOnThree = task(function progressFailOnThree(x: number) {
  if (x === 3) throw new Error("three");
  return x;
});
const flow = new Flow("progress-flow", () => ({
  a: double.map([1, 2, 3, 4]),
  b: failOnThree.map([1, 2, 3]),
}));

test("progress - a run reports every task's progress, ending at its totals", async () => {
  const seen: (readonly TaskProgress[])[] = [];
  await flow.run({
    executor: new LocalExecutor(),
    printLogs: false,
    onProgress: (p) => seen.push(p),
  });
  assert.deepEqual(seen.at(-1), [
    { name: "progressDouble", total: 4, finished: 4, failed: 0 },
    { name: "progressFailOnThree", total: 3, finished: 3, failed: 1 },
  ]);
});

test("progress - plain lines when not a terminal, bars redrawn in place on one", () => {
  const p: TaskProgress[] = [{ name: "inc", total: 10, finished: 5, failed: 1 }];
  const plain = fakeStream(false);
  const d1 = new ProgressDisplay(plain.stream, 60_000);
  d1.update(p);
  d1.update(p); // within the interval: not printed again
  d1.finish();
  assert.equal(plain.text(), "progress inc: 5/10 finished, 1 failed\n".repeat(2));
  const tty = fakeStream(true);
  const d2 = new ProgressDisplay(tty.stream);
  d2.update(p);
  d2.update([{ ...p[0]!, finished: 10 }]);
  const esc = "\x1b";
  assert.equal(
    tty.text(),
    `${esc}[2Kinc   ${"█".repeat(12)}${"░".repeat(12)} 5/10, 1 failed\n` +
      `${esc}[1A${esc}[2Kinc   ${"█".repeat(24)} 10/10, 1 failed\n`,
  );
});
