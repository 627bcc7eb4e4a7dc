import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import type { Flow } from "flowgate";
import { LocalCluster } from "../../src/cluster/index.ts";
import { MemoryLimitError } from "../../src/cluster/errors.ts";
import {
  formatBytes,
  outOfMemoryDetail,
  parseMemoryLimit,
  threadHeapMib,
} from "../../src/cluster/worker/memory-limit.ts";
import { MemoryMonitor } from "../../src/cluster/worker/memory-monitor.ts";
import { alive, startHarness, type Harness } from "./fixtures/cluster-harness.ts";

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const root = fileURLToPath(new URL("../../", import.meta.url));

describe("--memory-limit parsing", () => {
  test("sizes with units, plain bytes, and no limit", () => {
    assert.equal(parseMemoryLimit("512MiB"), 512 * MiB);
    assert.equal(parseMemoryLimit("512 mib"), 512 * MiB);
    assert.equal(parseMemoryLimit("1.5GiB"), 1.5 * GiB);
    assert.equal(parseMemoryLimit("2GB"), 2e9);
    assert.equal(parseMemoryLimit("2G"), 2 * GiB);
    assert.equal(parseMemoryLimit("1536M"), 1536 * MiB);
    assert.equal(parseMemoryLimit("1e9"), 1e9);
    assert.equal(parseMemoryLimit("536870912"), 512 * MiB);
    assert.equal(parseMemoryLimit(536870912), 512 * MiB);
    for (const none of ["0", "auto", "AUTO", "none", "", undefined, 0])
      assert.equal(parseMemoryLimit(none), undefined, String(none));
  });

  test("bad values say what is wrong and how to write a size", () => {
    const bad: [string, RegExp][] = [
      ["2XB", /--memory-limit '2XB' is not valid: 'XB' is not a unit; use B, KiB, MiB, GiB/],
      [
        "lots",
        /'lots' is not valid: it is not a number with an optional unit; write e\.g\. 512MiB/,
      ],
      ["-1G", /is not a number with an optional unit/],
      [
        "512",
        /'512' is not valid: that is 512 B, less than the 64 MiB .*give a unit \(e\.g\. 512MiB/,
      ],
      ["10MiB", /that is 10 MiB, less than the 64 MiB/],
    ];
    for (const [value, message] of bad)
      assert.throws(
        () => parseMemoryLimit(value),
        (e: unknown) =>
          e instanceof MemoryLimitError &&
          e.code === "FG_CLUSTER_MEMORY_LIMIT" &&
          message.test(e.message),
        value,
      );
  });

  test("each task thread gets limit / threads of heap, at least 64 MiB", () => {
    assert.equal(threadHeapMib(512 * MiB, 2), 256);
    assert.equal(threadHeapMib(2 * GiB, 1), 2048);
    assert.equal(threadHeapMib(100 * MiB, 4), 64);
    assert.equal(formatBytes(1.5 * GiB), "1.5 GiB");
    assert.equal(
      outOfMemoryDetail(512 * MiB, 2),
      "its thread exceeded the 256 MiB heap it gets from --memory-limit 512 MiB over 2 threads; raise --memory-limit or lower --concurrency",
    );
    assert.match(
      outOfMemoryDetail(100 * MiB, 4),
      /64 MiB heap .* \(raised to the 64 MiB minimum\)/,
    );
  });

  test("both ways in (the lean process entry and the CLI) reject a bad value with exit code 2", () => {
    const lean = spawnSync(
      process.execPath,
      ["bin/flowgate.js", "worker", "tcp://127.0.0.1:9", "--memory-limit", "2XB"],
      { cwd: root, encoding: "utf8", timeout: 60_000 },
    );
    assert.equal(lean.status, 2, lean.stderr);
    assert.match(
      lean.stderr,
      /flowgate worker: --memory-limit '2XB' is not valid: 'XB' is not a unit/,
    );
    const cli = spawnSync(
      process.execPath,
      [
        "--import",
        "./bin/register.js",
        "src/cli/main.ts",
        "worker",
        "tcp://127.0.0.1:9",
        "--memory-limit",
        "2XB",
      ],
      { cwd: root, encoding: "utf8", timeout: 60_000 },
    );
    assert.equal(cli.status, 2, cli.stderr);
    assert.equal(cli.stderr, lean.stderr, "one parser, one message");
  });

  test("LocalCluster rejects a bad memoryLimit before starting any process", async () => {
    await assert.rejects(
      LocalCluster({ workers: 1, memoryLimit: "lots" }),
      (e: unknown) => e instanceof MemoryLimitError,
    );
  });
});

describe("memory monitor (pause above 80% of the limit)", () => {
  function monitor(readings: number[]) {
    const lines: string[] = [];
    const states: boolean[] = [];
    let i = 0;
    const m = new MemoryMonitor({
      limit: 1000 * MiB,
      worker: "w1",
      rss: () => readings[Math.min(i++, readings.length - 1)]!,
      log: (line) => lines.push(line),
      setPaused: (p) => states.push(p),
      hasWork: () => true,
    });
    return { m, lines, states };
  }

  test("pauses once above the threshold, stays paused quietly, resumes once below", () => {
    const { m, lines, states } = monitor(
      [500, 799, 801, 900, 950, 700, 600, 850].map((x) => x * MiB),
    );
    const seen = Array.from({ length: 8 }, () => m.check());
    assert.deepEqual(seen, [false, false, true, true, true, false, false, true]);
    assert.deepEqual(states, [true, false, true]);
    assert.equal(lines.length, 3);
    assert.match(
      lines[0]!,
      /^flowgate worker 'w1': paused: process memory is 801 MiB \(80% of its 1000 MiB memory limit, above the 80% pause threshold of 800 MiB\); it runs one task at a time until it drops/,
    );
    assert.match(
      lines[1]!,
      /^flowgate worker 'w1': resumed: process memory is 700 MiB \(70% of its 1000 MiB memory limit, below 800 MiB\)$/,
    );
  });

  test("watch() checks at once; stop() ends the timer", () => {
    const { m, states } = monitor([900 * MiB]);
    m.watch();
    m.stop();
    assert.equal(m.paused, true);
    assert.deepEqual(states, [true]);
  });
});

const FLOW = `
import { Flow, context, task } from "flowgate";

const hog = task(
  async function hog() {
    context().logger.info("hog attempt " + context().attempt);
    await new Promise((r) => setTimeout(r, 50)); // the log line leaves the thread before it dies
    const keep: number[][] = [];
    for (;;) keep.push(new Array(100_000).fill(keep.length));
  },
  { maxRetries: 1, retryDelay: 0 },
);
const fine = task(function fine() {
  return 42;
});
const afterHog = task(function afterHog() {
  return process.pid;
}, { trigger: "allFinished" });

export default new Flow("memory-hog", () => {
  const h = hog();
  return { fine: fine(), after: afterHog.with({ upstreamTasks: [h] })() };
});
`;

describe("a task that allocates without bound on a worker with --memory-limit", () => {
  let h: Harness;
  let dir: string;
  let flow: Flow;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "flowgate-memory-"));
    writeFileSync(join(dir, "memory-hog.ts"), FLOW);
    flow = ((await import(pathToFileURL(join(dir, "memory-hog.ts")).href)) as { default: Flow })
      .default;
    h = await startHarness({ workers: 1, concurrency: 2, memoryLimit: "384MiB" });
  });
  after(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test(
    "fails itself (retried once) while the worker survives and runs the other tasks",
    { timeout: 180_000 },
    async () => {
      const [workerPid] = h.cluster.pids; // the scheduler runs in this process
      const r = await flow.run({ executor: h.executor, printLogs: false });
      const s = r.taskState("hog");
      assert.equal(s.type, "Failed");
      assert.equal(
        s.message,
        "TaskMemoryError: task 'hog' ran out of memory on worker 'local-0': its thread exceeded the 192 MiB heap " +
          "it gets from --memory-limit 384 MiB over 2 threads; raise --memory-limit or lower --concurrency",
      );
      const attempts = r.logs
        .filter((l) => l.message.startsWith("hog attempt"))
        .map((l) => l.message);
      assert.deepEqual(attempts, ["hog attempt 1", "hog attempt 2"]);
      const out = r.outputs as unknown as { fine: number; after: number };
      assert.equal(out.fine, 42);
      assert.equal(out.after, workerPid);
      // the same worker process, never restarted
      assert.deepEqual(h.cluster.workerNames, ["local-0"]);
      assert.deepEqual(h.cluster.pids, [workerPid]);
      assert.equal(alive(workerPid!), true);
    },
  );
});
