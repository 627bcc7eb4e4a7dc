import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { runSchedulerProcess } from "./scheduler-process.ts";
import { readSecurity } from "./tls-files.ts";
import type { ClusterSecurity } from "../security.ts";
import { runWorkerProcess } from "./worker-process.ts";
import { parseMemoryLimit } from "../worker/memory-limit.ts";
import { AddressError, MemoryLimitError } from "../errors.ts";
import { checkSocketPath } from "../wire/address.ts";
import { bundleDir, runningRuntime, threadRuntimeOrSources } from "../../shipping/index.ts";

const options = {
  host: { type: "string" },
  // The host others reach the scheduler at, when it listens on every interface (0.0.0.0).
  "advertise-host": { type: "string" },
  port: { type: "string" },
  // A Unix socket to listen on (the scheduler) or serve peer data on (a worker), no TLS.
  socket: { type: "string" },
  "dashboard-port": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "tls-ca": { type: "string" },
  name: { type: "string" },
  concurrency: { type: "string" },
  "memory-limit": { type: "string" },
  // Where task threads load code from (LocalCluster and tests); the precompiled runtime otherwise.
  "task-host": { type: "string" },
  "thread-module": { type: "string" },
  "thread-hook": { type: "string", multiple: true },
  "bundle-dir": { type: "string" },
  // The CLI's global flag, accepted here too: `flowgate worker ADDRESS --log-level DEBUG`.
  "log-level": { type: "string" },
} as const;

const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "OFF"];

/**
 * Runs `flowgate scheduler …` or `flowgate worker <address> …` from its command-line words
 * (role first): the one parser of these flags, for the precompiled entry and the CLI alike.
 * Bad flags end the process with exit code 2 and one line saying what was wrong.
 */
export async function runClusterProcess(argv: readonly string[]): Promise<void> {
  const [role, ...rest] = argv;
  setProcessTitle(role);
  const fail = (why: string): never => {
    process.stderr.write(`flowgate ${role ?? ""}: ${why}\n`);
    process.exit(2);
  };
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options });
  } catch (e) {
    return fail(`${(e as Error).message}; see flowgate ${role ?? ""} --help`);
  }
  const { values, positionals } = parsed;
  const logLevel = values["log-level"];
  if (logLevel !== undefined) {
    if (!LOG_LEVELS.includes(logLevel.toUpperCase()))
      fail(`--log-level '${logLevel}' is not a log level; use one of ${LOG_LEVELS.join(", ")}`);
    process.env.FLOWGATE_LOG_LEVEL = logLevel.toUpperCase();
  }
  const port = (flag: "port" | "dashboard-port"): number => {
    const n = Number(values[flag] ?? 0);
    return Number.isInteger(n) && n >= 0 && n < 65536
      ? n
      : fail(`--${flag} must be a port number (0 = any free port), got '${values[flag]}'`);
  };
  let security: ClusterSecurity | undefined;
  try {
    security = readSecurity({
      tlsCert: values["tls-cert"],
      tlsKey: values["tls-key"],
      tlsCa: values["tls-ca"],
    });
  } catch (e) {
    fail((e as Error).message);
  }
  const socketPath = values.socket;
  if (socketPath !== undefined) {
    try {
      checkSocketPath(socketPath);
    } catch (e) {
      if (!(e instanceof AddressError)) throw e;
      fail(`--socket: ${e.why ?? e.message}`);
    }
    if (values.port !== undefined) fail("give --socket or --port, not both");
  }
  if (role === "scheduler") {
    return runSchedulerProcess({
      security,
      socketPath,
      host: values.host,
      advertiseHost: values["advertise-host"],
      port: port("port"),
      dashboardPort: port("dashboard-port"),
    });
  }
  if (role !== "worker") return fail(`unknown role '${role}'; use scheduler or worker`);
  const scheduler =
    positionals[0] ?? fail("the scheduler's address is missing, e.g. tls://host:8786");
  // One task thread per core by default, as `dask worker` runs one thread per core.
  const concurrency = Number(values.concurrency ?? availableParallelism());
  if (!Number.isInteger(concurrency) || concurrency < 1)
    fail(`--concurrency must be a positive integer, got '${values.concurrency}'`);
  let memoryLimit: number | undefined;
  try {
    memoryLimit = parseMemoryLimit(values["memory-limit"]);
  } catch (e) {
    if (!(e instanceof MemoryLimitError)) throw e;
    fail(e.message);
  }
  const runtime = values["thread-module"]
    ? runningRuntime()
    : await threadRuntimeOrSources((e) =>
        process.stderr.write(
          `flowgate worker: could not precompile flowgate for task threads (${e instanceof Error ? e.message : String(e)}); threads load the TypeScript sources instead, which is slower to start\n`,
        ),
      );
  return runWorkerProcess({
    security,
    scheduler,
    name: values.name,
    concurrency,
    host: values.host,
    socketPath,
    taskHostModule: values["task-host"] ?? runtime.taskHost,
    threadModule: values["thread-module"] ?? runtime.threadModule,
    threadHooks: values["thread-hook"] ?? runtime.hooks,
    bundleDir: values["bundle-dir"] ?? bundleDir(),
    memoryLimit,
  });
}

/**
 * `flowgate-scheduler <cluster>` / `flowgate-worker <cluster>` in ps and pgrep, however the
 * process was started (the gateway's warm pool starts them as `node warm-launcher.mjs`).
 */
function setProcessTitle(role: string | undefined): void {
  if (role !== "scheduler" && role !== "worker") return;
  const cluster = process.env.FLOWGATE_CLUSTER_NAME;
  process.title = cluster ? `flowgate-${role} ${cluster}` : `flowgate-${role}`;
}
