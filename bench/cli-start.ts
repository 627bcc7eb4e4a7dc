// CLI start-up (issue 10): process start → exit of `flowgate --help`, `flowgate --version` and
// `flowgate run` of a 2-task flow on a LocalExecutor (compiling the flow file included), median
// of 10 runs each. Prints one JSON object. Run: node --import ./bin/register.js bench/cli-start.ts
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { distIsCurrent } from "../bin/code-freshness.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const bin = fileURLToPath(new URL("../bin/flowgate.js", import.meta.url));
const flowFile = fileURLToPath(new URL("../examples/times-two.ts", import.meta.url));
const RUNS = 10;

function seconds(args: readonly string[]): { median: number; exitCode: number | null } {
  const times: number[] = [];
  let exitCode: number | null = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [bin, ...args], {
      stdio: "ignore",
      env: { ...process.env, FLOWGATE_LOG_LEVEL: "OFF" },
    });
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
    exitCode = r.status;
  }
  times.sort((a, b) => a - b);
  const median = (times[RUNS / 2 - 1]! + times[RUNS / 2]!) / 2;
  return { median: Math.round(median * 1000) / 1000, exitCode };
}

console.log(
  JSON.stringify({
    bench: "cli-start",
    runsEach: RUNS,
    // dist/ current: the CLI runs compiled JavaScript (else it falls back to the sources)
    fromDist: distIsCurrent(root),
    helpSeconds: seconds(["--help"]),
    versionSeconds: seconds(["--version"]),
    runTwoTasksLocalSeconds: seconds(["run", flowFile, "-q", "--executor", "local"]),
  }),
);
