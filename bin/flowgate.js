#!/usr/bin/env node
// The flowgate command. It runs the compiled JavaScript in dist/; a checkout whose dist/ is
// older than its sources runs the TypeScript sources under tsx instead (slower to start).
import { fileURLToPath, pathToFileURL } from "node:url";
import { distIsCurrent } from "./code-freshness.js";

const fromDist = distIsCurrent(fileURLToPath(new URL("../", import.meta.url)));
const role = process.argv[2];
const wantsHelp = process.argv.includes("--help") || process.argv.includes("-h");
if ((role === "scheduler" || role === "worker") && !wantsHelp) {
  // Scheduler and worker processes load only the cluster runtime.
  if (fromDist) await import("../dist/cluster/process/process-entry.js");
  else {
    await import("./register.js");
    const { processEntry } = await import("../src/shipping/process-entry-build.ts");
    await import(pathToFileURL(await processEntry()).href);
  }
} else if (fromDist) {
  await import("../dist/cli/main.js");
} else {
  await import("./register.js");
  await import("../src/cli/main.ts");
}
