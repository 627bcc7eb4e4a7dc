import { parseArgs } from "node:util";
import { runSchedulerProcess } from "./scheduler-process.ts";
import { runWorkerProcess } from "./worker-process.ts";
import { parseMemoryLimit } from "../worker/memory-limit.ts";
import { MemoryLimitError } from "../errors.ts";
import {
  BUNDLE_DIR,
  DEFAULT_TASK_HOST,
  DEFAULT_THREAD_HOOKS,
  THREAD_MODULE,
} from "../local/code-paths.ts";
import { threadRuntime, type ThreadRuntime } from "../local/thread-runtime.ts";

/**
 * Lean entry for scheduler and worker processes started by LocalCluster: precompiled by esbuild,
 * it starts in a fraction of the time the full CLI under tsx takes. Same flags as
 * `flowgate scheduler` / `flowgate worker`, plus the worker's code-loading URLs.
 */
const [role, ...rest] = process.argv.slice(2);
// Started by LocalCluster with a stdin pipe: when the parent dies the pipe closes, and so do we.
if (process.env.FLOWGATE_EXIT_WITH_PARENT === "1") {
  process.stdin.on("close", () => process.kill(process.pid, "SIGTERM"));
  process.stdin.on("end", () => process.kill(process.pid, "SIGTERM"));
  process.stdin.resume();
}
const { values, positionals } = parseArgs({
  args: rest,
  allowPositionals: true,
  options: {
    host: { type: "string" },
    port: { type: "string" },
    "dashboard-port": { type: "string" },
    "tls-cert": { type: "string" },
    "tls-key": { type: "string" },
    "tls-ca": { type: "string" },
    name: { type: "string" },
    concurrency: { type: "string" },
    "memory-limit": { type: "string" },
    "task-host": { type: "string" },
    "thread-module": { type: "string" },
    "thread-hook": { type: "string", multiple: true },
    "bundle-dir": { type: "string" },
  },
});
const tls = { tlsCert: values["tls-cert"], tlsKey: values["tls-key"], tlsCa: values["tls-ca"] };
if (role === "scheduler") {
  await runSchedulerProcess({
    ...tls,
    host: values.host,
    port: values.port ? Number(values.port) : 0,
    dashboardPort: values["dashboard-port"] ? Number(values["dashboard-port"]) : 0,
  });
} else if (role === "worker") {
  let memoryLimit: number | undefined;
  try {
    memoryLimit = parseMemoryLimit(values["memory-limit"]);
  } catch (e) {
    if (!(e instanceof MemoryLimitError)) throw e;
    process.stderr.write(`flowgate worker: ${e.message}\n`);
    process.exit(2);
  }
  const runtime = values["thread-module"] ? undefined : await precompiledThreadRuntime();
  await runWorkerProcess({
    ...tls,
    scheduler: positionals[0]!,
    name: values.name,
    concurrency: values.concurrency ? Number(values.concurrency) : 1,
    host: values.host,
    taskHostModule: values["task-host"] ?? runtime?.taskHost ?? DEFAULT_TASK_HOST,
    threadModule: values["thread-module"] ?? runtime?.threadModule ?? THREAD_MODULE,
    threadHooks: values["thread-hook"] ?? runtime?.hooks ?? DEFAULT_THREAD_HOOKS,
    bundleDir: values["bundle-dir"] ?? BUNDLE_DIR,
    memoryLimit,
  });
} else {
  process.stderr.write(`unknown role '${role}'; use scheduler or worker\n`);
  process.exit(2);
}

/** The precompiled thread runtime, or undefined (threads then compile flowgate with tsx). */
async function precompiledThreadRuntime(): Promise<ThreadRuntime | undefined> {
  try {
    return await threadRuntime();
  } catch (e) {
    process.stderr.write(
      `flowgate worker: could not precompile flowgate for task threads (${e instanceof Error ? e.message : String(e)}); threads load the TypeScript sources instead, which is slower to start\n`,
    );
    return undefined;
  }
}
