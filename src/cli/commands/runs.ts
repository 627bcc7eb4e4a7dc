import type { Command } from "commander";
import type { Run } from "../../server/api/index.ts";
import { parseParams } from "../parse-params.ts";
import { followRun, formatLogLine, runEndLine, showResult } from "../run-follow.ts";
import { collect, serverClient, serverOptions, type ServerFlags } from "../server-flags.ts";
import { UsageError } from "../usage-error.ts";

interface CreateFlags extends ServerFlags {
  param: string[];
  label: string[];
  startAt?: string;
  wait?: boolean;
}

/** `flowgate runs create | list | logs | cancel` against a flowgate server. */
export function registerRuns(program: Command): void {
  const runs = program
    .command("runs")
    .description("create, list, follow and cancel flow runs on a flowgate server");

  serverOptions(
    runs
      .command("create")
      .description("create a run of a registered flow (an id, project/name or name)")
      .argument("<flow>", "the flow: its id, project/name, or name")
      .option("-p, --param <name=json>", "a parameter value as JSON (repeatable)", collect, [])
      .option(
        "--label <label>",
        "a label the run needs on its agent (repeatable; default: the flow's)",
        collect,
        [],
      )
      .option("--start-at <iso>", "when to start, ISO 8601 (default: now)")
      .option(
        "--wait",
        "stream the run's log until it ends; print its result; exit 1 unless Success",
      ),
  ).action(async (flow: string, flags: CreateFlags) => {
    const client = serverClient(flags);
    if (flags.startAt !== undefined && Number.isNaN(Date.parse(flags.startAt)))
      throw new UsageError(
        `--start-at ${JSON.stringify(flags.startAt)} is not an ISO 8601 time, e.g. 2026-12-01T09:00:00Z`,
      );
    const run = await client.createRun({
      flow: /^\d+$/.test(flow) ? Number(flow) : flow,
      parameters: parseParams(flags.param),
      ...(flags.label.length > 0 ? { labels: flags.label } : {}),
      ...(flags.startAt !== undefined ? { startAt: flags.startAt } : {}),
    });
    process.stdout.write(`Run ${run.id} of '${run.flowName}' v${run.version}: ${run.state}\n`);
    if (run.warning) process.stderr.write(`Warning: ${run.warning}\n`);
    if (!flags.wait) return;
    const end = await followRun(client, run.id);
    process.stdout.write(`${runEndLine(end)}\n`);
    if (end.state === "Success") process.stdout.write(`Result: ${showResult(end.result)}\n`);
    process.exitCode = end.state === "Success" ? 0 : 1;
  });

  serverOptions(
    runs
      .command("list")
      .description("print your runs, newest first")
      .option("--flow <flow>", "only runs of this flow (id, project/name or name)")
      .option("--state <states>", "only runs in these states, comma-separated")
      .option("--limit <n>", "at most this many", "100")
      .option("--json", "print JSON"),
  ).action(
    async (
      flags: ServerFlags & { flow?: string; state?: string; limit: string; json?: boolean },
    ) => {
      const client = serverClient(flags);
      const page = await client.listRuns({
        ...(flags.flow ? { flow: flags.flow } : {}),
        ...(flags.state ? { state: flags.state } : {}),
        limit: Number(flags.limit),
      });
      if (flags.json) process.stdout.write(`${JSON.stringify(page.items, null, 2)}\n`);
      else if (page.items.length === 0) process.stderr.write("No runs.\n");
      else process.stdout.write(table(page.items));
    },
  );

  serverOptions(
    runs
      .command("logs")
      .description("print a run's log")
      .argument("<id>", "the run's id")
      .option("-f, --follow", "keep printing new lines until the run ends"),
  ).action(async (id: string, flags: ServerFlags & { follow?: boolean }) => {
    const client = serverClient(flags);
    const runId = runIdOf(id);
    if (flags.follow) {
      await followRun(client, runId, { states: false, out: process.stdout });
      return;
    }
    let after = 0;
    for (;;) {
      const page = await client.logs(runId, { after, limit: 10_000 });
      for (const l of page.items) process.stdout.write(`${formatLogLine(runId, l)}\n`);
      if (page.items.length === 0 || page.last === after) break;
      after = page.last;
    }
  });

  serverOptions(
    runs
      .command("cancel")
      .description("cancel a run: its agent stops the flow and its cluster")
      .argument("<id>", "the run's id"),
  ).action(async (id: string, flags: ServerFlags) => {
    const run = await serverClient(flags).cancelRun(runIdOf(id));
    process.stdout.write(`Run ${run.id}: ${run.state}\n`);
  });
}

function runIdOf(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`run id ${JSON.stringify(text)} is not a number`);
  return Number(text);
}

function table(runs: readonly Run[]): string {
  const rows = runs.map((r) => [
    String(r.id),
    `${r.project}/${r.flowName}`,
    `v${r.version}`,
    r.state,
    new Date(r.scheduledAt).toISOString().replace(/\.\d+Z$/, "Z"),
    r.cluster?.name ?? "",
    r.cost ? `${r.cost.workerSeconds.toFixed(1)} / ${r.cost.taskSeconds.toFixed(1)}` : "",
    r.warning ?? r.stateReason ?? "",
  ]);
  const head = [
    "ID",
    "FLOW",
    "VER",
    "STATE",
    "SCHEDULED",
    "CLUSTER",
    "COST (worker-s / task-s)",
    "NOTE",
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows]
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  "))
    .join("\n")
    .concat("\n");
}
