// Runs every benchmark script in its own process and prints one JSON array of their results.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const scripts = [
  "local.ts",
  "cluster.ts",
  "cluster-transports.ts",
  "hop-floor.ts",
  "peer-transfer.ts",
  "dashboard.ts",
  "live-task-runs.ts",
  "gateway.ts",
  "environment.ts",
  "orchestration.ts",
  "agent-start.ts",
  "cli-start.ts",
  "ui.ts",
];
const only = process.argv.slice(2);
const results: unknown[] = [];
for (const script of scripts) {
  if (only.length > 0 && !only.some((o) => script.startsWith(o))) continue;
  const path = new URL(script, import.meta.url);
  if (!existsSync(path)) continue;
  const r = spawnSync(
    process.execPath,
    ["--expose-gc", "--import", new URL("../bin/register.js", import.meta.url).href, path.pathname],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      timeout: 600_000,
    },
  );
  results.push(...parseResults(r.stdout));
  if (r.status !== 0) results.push({ bench: script, error: `exited with ${r.status ?? r.signal}` });
}
console.log(JSON.stringify(results, null, 2));

/** A script prints either one JSON document (possibly pretty-printed) or one JSON object a line. */
function parseResults(stdout: string): unknown[] {
  try {
    return [JSON.parse(stdout)];
  } catch {
    return stdout
      .split("\n")
      .filter((line) => line.trim().startsWith("{"))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as unknown];
        } catch {
          return [];
        }
      });
  }
}
