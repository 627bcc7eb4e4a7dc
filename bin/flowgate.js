#!/usr/bin/env node
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { clusterEntryPath } from "./cluster-entry.js";

const role = process.argv[2];
const wantsHelp = process.argv.includes("--help") || process.argv.includes("-h");
if ((role === "scheduler" || role === "worker") && !wantsHelp) {
  // Scheduler and worker processes start from the precompiled entry (built on first use).
  let entry = clusterEntryPath();
  if (!existsSync(entry)) {
    await import("./register.js");
    const { leanEntry } = await import("../src/cluster/local/lean-entry.ts");
    entry = await leanEntry();
  }
  await import(pathToFileURL(entry).href);
} else {
  await import("./register.js");
  await import("../src/cli/main.ts");
}
