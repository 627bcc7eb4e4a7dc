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

test("progress - off a terminal, one plain line per task each time its counts change", () => {
  const out = fakeStream(false);
  const d = new ProgressDisplay({ stream: out.stream }, true, () => true);
  const p: TaskProgress = { name: "inc", total: 10, finished: 5, failed: 1 };
  d.update([p]);
  d.update([p]); // the same counts: not printed again
  d.update([{ ...p, finished: 10 }]);
  d.finish();
  d.update([{ ...p, finished: 10 }]);
  assert.equal(
    out.text(),
    "progress inc: 5/10 finished, 1 failed\nprogress inc: 10/10 finished, 1 failed\n",
  );
  assert.ok(
    [...out.text()].every((c) => c === "\n" || c >= " "),
    "no control characters",
  );
});

test("progress - on a terminal, log lines persist above bars that are redrawn in place", () => {
  const calls: string[] = [];
  const live = Object.assign((text: string) => void calls.push(`draw ${text}`), {
    persist: (text: string) => void calls.push(`persist ${text}`),
    done: () => void calls.push("done"),
  });
  const out = fakeStream(true);
  const d = new ProgressDisplay({ stream: out.stream, live }, true, (r) => r.level !== "DEBUG");
  const record = {
    time: 0,
    level: "INFO" as const,
    name: "flowgate.Task",
    message: "hi",
    task: "inc",
    flowRunId: "r",
  };
  d.update([{ name: "inc", total: 10, finished: 5, failed: 1 }]);
  d.log(record);
  d.log({ ...record, level: "DEBUG", message: "hidden" });
  d.update([{ name: "inc", total: 10, finished: 10, failed: 1 }]);
  d.finish();
  const logLine = calls.find((c) => c.startsWith("persist"));
  assert.match(logLine ?? "", /INFO - flowgate\.Task: inc \| hi$/);
  assert.deepEqual(
    calls.map((c) => c.replace(/^persist .*/, "persist")),
    [
      `draw inc   ${"█".repeat(12)}${"░".repeat(12)} 5/10, 1 failed`,
      "persist",
      `draw inc   ${"█".repeat(24)} 10/10, 1 failed`,
      "done",
    ],
  );
  assert.equal(out.text(), "", "everything goes through the live area");
});
