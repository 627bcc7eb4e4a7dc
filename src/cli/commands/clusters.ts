import type { Command } from "commander";
import {
  ClusterStatus,
  isClusterStatus,
  type ClusterOptionSpec,
  type ClusterReport,
  type Gateway,
} from "../../gateway/client/index.ts";
import { UsageError } from "../errors.ts";
import { gatewayFrom, type GatewayFlags } from "../gateway-from.ts";
import { parseValue } from "../parse-params.ts";

/** `flowgate clusters list | options | create | scale | adapt | stop | logs` against a gateway. */
export function registerClusters(program: Command): void {
  const clusters = program
    .command("clusters")
    .description("list, create, scale and stop your clusters on a flowgate gateway")
    .option("--gateway <address>", "the gateway's address (default: FLOWGATE_GATEWAY_ADDRESS)")
    .option(
      "--user <name>",
      "user name, HTTP Basic (default: FLOWGATE_GATEWAY_USER, else your OS user)",
    )
    .option("--password <password>", "password (default: FLOWGATE_GATEWAY_PASSWORD)")
    .option("--token <token>", "API token, bearer (default: FLOWGATE_GATEWAY_TOKEN)");

  clusters
    .command("list")
    .description("print a table of your clusters: name, status, workers, age, dashboard")
    .option("--status <statuses>", "comma-separated statuses, or all (default: PENDING,RUNNING)")
    .option("--json", "print JSON instead of a table (without TLS keys)")
    .action(
      run(async (gateway, flags: { status?: string; json?: boolean }) => {
        const reports = await gateway.listClusters(parseStatuses(flags.status));
        if (flags.json) {
          const safe = reports.map(({ security: _security, ...rest }) => rest);
          process.stdout.write(`${JSON.stringify(safe, null, 2)}\n`);
        } else if (reports.length === 0) process.stderr.write("No clusters.\n");
        else process.stdout.write(table(reports, Date.now()));
      }),
    );

  clusters
    .command("options")
    .description("print the cluster options this gateway offers: type, default and allowed values")
    .option("--json", "print the gateway's option specs as JSON")
    .action(
      run(async (gateway, flags: { json?: boolean }) => {
        const specs = await gateway.clusterOptions();
        if (flags.json) process.stdout.write(`${JSON.stringify(specs, null, 2)}\n`);
        else if (specs.length === 0)
          process.stderr.write("This gateway offers no cluster options.\n");
        else process.stdout.write(optionsTable(specs));
      }),
    );

  clusters
    .command("create")
    .description("create a cluster, wait until it is RUNNING and print its name")
    .option(
      "--option <key=value>",
      "a cluster option (repeatable); JSON values are parsed",
      collect,
      [],
    )
    .option("--no-wait", "print the name at once, without waiting for RUNNING")
    .option(
      "--start-timeout <seconds>",
      "give up (and stop the cluster) after this long (default 300)",
    )
    .action(
      run(async (gateway, flags: { option: string[]; wait: boolean; startTimeout?: string }) => {
        const clusterOptions = parseOptions(flags.option);
        if (!flags.wait) {
          process.stdout.write(`${await gateway.submit({ clusterOptions })}\n`);
          return;
        }
        const startTimeout =
          flags.startTimeout === undefined
            ? undefined
            : positive("--start-timeout", flags.startTimeout) * 1000;
        const cluster = await gateway.newCluster({
          clusterOptions,
          shutdownOnClose: false,
          ...(startTimeout !== undefined && { startTimeout }),
        });
        process.stdout.write(`${cluster.name}\n`);
        process.stderr.write(
          `Cluster created. Scheduler address: ${cluster.schedulerAddress} Dashboard: ${cluster.dashboardLink}\n`,
        );
      }),
    );

  clusters
    .command("scale <name> <n>")
    .description("ask for exactly N workers (turns adaptive scaling off)")
    .action(
      run(async (gateway, _flags, name: string, n: string) => {
        const count = wholeNumber("N", n);
        warnIfClamped(await gateway.scaleCluster(name, count));
        process.stderr.write(`Cluster ${name} is scaling to ${count} workers.\n`);
      }),
    );

  clusters
    .command("adapt <name>")
    .description("let the scheduler choose the worker count between --min and --max")
    .option("--min <n>", "fewest workers (default 0)")
    .option("--max <n>", "most workers (default: the gateway's limit)")
    .action(
      run(async (gateway, flags: { min?: string; max?: string }, name: string) => {
        const minimum = flags.min === undefined ? 0 : wholeNumber("--min", flags.min);
        const maximum = flags.max === undefined ? undefined : wholeNumber("--max", flags.max);
        if (maximum !== undefined && minimum > maximum)
          throw new UsageError(
            `--min ${minimum} is greater than --max ${maximum}; pass --min ≤ --max`,
          );
        warnIfClamped(
          await gateway.adaptCluster(name, { minimum, ...(maximum !== undefined && { maximum }) }),
        );
        process.stderr.write(
          `Cluster ${name} scales adaptively between ${minimum} and ${maximum ?? "the limit"}.\n`,
        );
      }),
    );

  clusters
    .command("stop <names...>")
    .description("stop clusters (their status goes STOPPING, then STOPPED)")
    .action(
      run(async (gateway, _flags, names: string[]) => {
        for (const name of names) {
          await gateway.stopCluster(name);
          process.stderr.write(`Cluster ${name} is stopping.\n`);
        }
      }),
    );

  clusters
    .command("logs <name>")
    .description("print the scheduler's and workers' output")
    .action(
      run(async (gateway, _flags, name: string) => {
        const text = await gateway.clusterLogs(name);
        process.stdout.write(text.endsWith("\n") || text === "" ? text : `${text}\n`);
      }),
    );
}

type Action<F> = (gateway: Gateway, flags: F, ...args: never[]) => Promise<void>;

/**
 * Wraps a subcommand: builds the Gateway from the shared flags. Errors go to main.ts, which
 * prints a gateway error (unreachable, 401, 404, 422 …) as one line with its code.
 */
function run<F>(action: Action<F>) {
  return async function (this: Command, ...args: unknown[]): Promise<void> {
    const flags = this.opts() as F;
    const positional = args.slice(0, this.registeredArguments.length) as never[];
    await action(gatewayFrom(this.optsWithGlobals() as GatewayFlags), flags, ...positional);
  };
}

function parseStatuses(text: string | undefined): ClusterStatus[] | undefined {
  if (text === undefined) return undefined;
  if (text.trim().toLowerCase() === "all") return Object.values(ClusterStatus);
  const statuses = text.split(",").map((s) => s.trim().toUpperCase());
  for (const s of statuses)
    if (!isClusterStatus(s))
      throw new UsageError(
        `--status ${JSON.stringify(text)}: ${JSON.stringify(s)} is not a status; use PENDING, RUNNING, STOPPING, STOPPED, FAILED or all`,
      );
  return statuses as ClusterStatus[];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseOptions(pairs: readonly string[]): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0)
      throw new UsageError(
        `--option ${JSON.stringify(pair)} is not key=value; write e.g. --option worker_cores=2`,
      );
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1);
    options[key] = parseValue(raw);
  }
  return options;
}

function wholeNumber(what: string, text: string): number {
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(Number(text)))
    throw new UsageError(`${what} ${JSON.stringify(text)} is not a whole number ≥ 0; pass e.g. 2`);
  return Number(text);
}

function positive(what: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`${what} ${JSON.stringify(text)} is not a positive number of seconds`);
  return n;
}

function warnIfClamped(result: { ok: boolean; msg: string | null }): void {
  if (!result.ok && result.msg) process.stderr.write(`flowgate: warning: ${result.msg}\n`);
}

function optionsTable(specs: readonly ClusterOptionSpec[]): string {
  const rows = [["OPTION", "TYPE", "DEFAULT", "ALLOWED", "DESCRIPTION"]];
  for (const o of specs) {
    const { type, min, max, options } = o.spec;
    const pattern = (o.spec as { pattern?: string }).pattern;
    const allowed = options
      ? options.map((v) => JSON.stringify(v)).join(", ")
      : min !== undefined || max !== undefined
        ? `${min ?? "-∞"}..${max ?? "∞"}`
        : type === "bool"
          ? "true, false"
          : type === "mapping"
            ? "a JSON object"
            : pattern !== undefined
              ? `matching /${pattern}/`
              : "any";
    rows.push([o.field, type, JSON.stringify(o.default) ?? "-", allowed, o.label ?? ""]);
  }
  return columns(rows);
}

function columns(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd(),
  );
  return `${lines.join("\n")}\n`;
}

function table(reports: readonly ClusterReport[], now: number): string {
  const rows = [["NAME", "STATUS", "WORKERS", "AGE", "DASHBOARD"]];
  for (const r of reports)
    rows.push([
      r.name,
      r.status,
      r.workers
        ? `${r.workers.running}/${r.workers.target}${r.workers.pending ? ` (+${r.workers.pending})` : ""}`
        : "-",
      r.startTime === null ? "-" : age(now - r.startTime),
      r.dashboardLink ?? "-",
    ]);
  return columns(rows);
}

function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
