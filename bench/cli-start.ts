// CLI start-up (issue 10): process start → exit of `flowgate --help`, `flowgate --version` and
// `flowgate run` of a 2-task flow on a LocalExecutor (compiling the flow file included), median
// of 10 runs each. Prints one JSON object. Run: node --import ./bin/register.js bench/cli-start.ts
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { distIsCurrent } from "../bin/code-freshness.js";

const root = fileURLToPath(new URL("../", import.meta.url));
// `--bin <path>` measures another copy's CLI (e.g. an older checkout), for before/after figures.
const binAt = process.argv.indexOf("--bin");
const bin =
  binAt > 0
    ? process.argv[binAt + 1]!
    : fileURLToPath(new URL("../bin/flowgate.js", import.meta.url));
const flowFile = fileURLToPath(new URL("../examples/times-two.ts", import.meta.url));
const RUNS = 10;

/** CPU seconds (user + system) of this process's waited-for children so far (Linux). */
function childrenCpu(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime in clock ticks
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(((s[RUNS / 2 - 1]! + s[RUNS / 2]!) / 2) * 1000) / 1000;
};

/**
 * Median wall time and CPU time of `flowgate <args>`. On a shared, loaded machine the wall time
 * mostly measures the queue for a core; CPU time says what the command itself costs.
 */
function seconds(args: readonly string[]) {
  const wall: number[] = [];
  const cpu: number[] = [];
  let exitCode: number | null = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const cpuBefore = childrenCpu();
    const r = spawnSync(process.execPath, [bin, ...args], {
      stdio: "ignore",
      env: { ...process.env, FLOWGATE_LOG_LEVEL: "OFF" },
    });
    wall.push(Number(process.hrtime.bigint() - start) / 1e9);
    cpu.push(childrenCpu() - cpuBefore);
    exitCode = r.status;
  }
  return { median: median(wall), cpuMedian: median(cpu), exitCode };
}

console.log(
  JSON.stringify({
    bench: "cli-start",
    bin,
    loadAverage: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
    runsEach: RUNS,
    // dist/ current: the CLI runs compiled JavaScript (else it falls back to the sources)
    fromDist: distIsCurrent(root),
    helpSeconds: seconds(["--help"]),
    versionSeconds: seconds(["--version"]),
    runTwoTasksLocalSeconds: seconds(["run", flowFile, "-q", "--executor", "local"]),
  }),
);
