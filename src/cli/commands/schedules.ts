import type { Command } from "commander";
import type { Clock, Schedule } from "../../server/api/index.ts";
import { parseParams } from "../parse-params.ts";
import {
  collect,
  flowIdOf,
  serverClient,
  serverOptions,
  type ServerFlags,
} from "../server-flags.ts";
import { UsageError } from "../usage-error.ts";

interface SetFlags extends ServerFlags {
  interval: string[];
  cron: string[];
  timezone?: string;
  param: string[];
  label: string[];
  paused?: boolean;
}

/** `flowgate schedules set | pause | resume | show FLOW` against a flowgate server. */
export function registerSchedules(program: Command): void {
  const schedules = program
    .command("schedules")
    .description("set, pause and resume the schedules of registered flows");

  serverOptions(
    schedules
      .command("set")
      .description("replace a flow's schedule with interval and cron clocks")
      .argument("<flow>", "the flow: its id, project/name, or name")
      .option("--interval <seconds>", "a clock: every this many seconds (repeatable)", collect, [])
      .option(
        "--cron <expression>",
        "a clock: a 5- or 6-field cron expression (repeatable)",
        collect,
        [],
      )
      .option(
        "--timezone <iana>",
        "time zone of the cron clocks, e.g. Europe/Berlin (default: UTC)",
      )
      .option(
        "-p, --param <name=json>",
        "a parameter default for the clocks' runs (repeatable)",
        collect,
        [],
      )
      .option("--label <label>", "a label for the clocks' runs (repeatable)", collect, [])
      .option("--paused", "store the schedule paused"),
  ).action(async (flow: string, flags: SetFlags) => {
    const parameters = parseParams(flags.param);
    const extras = {
      ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
      ...(flags.label.length > 0 ? { labels: flags.label } : {}),
    };
    const clocks: Clock[] = [
      ...flags.interval.map((text) => ({
        type: "interval" as const,
        every: seconds(text),
        ...extras,
      })),
      ...flags.cron.map((cron) => ({
        type: "cron" as const,
        cron,
        ...(flags.timezone ? { timezone: flags.timezone } : {}),
        ...extras,
      })),
    ];
    if (clocks.length === 0)
      throw new UsageError("give at least one clock: --interval SECONDS or --cron 'EXPR'");
    const client = serverClient(flags);
    const schedule = await client.setSchedule(await flowIdOf(client, flow), {
      clocks,
      active: !flags.paused,
    });
    print(flow, schedule);
  });

  for (const [verb, what] of [
    ["pause", "stop creating runs from a flow's schedule"],
    ["resume", "create runs from a flow's schedule again"],
    ["show", "print a flow's schedule and its next start times"],
  ] as const)
    serverOptions(
      schedules
        .command(verb)
        .description(what)
        .argument("<flow>", "the flow: its id, project/name, or name"),
    ).action(async (flow: string, flags: ServerFlags) => {
      const client = serverClient(flags);
      const id = await flowIdOf(client, flow);
      const schedule =
        verb === "pause"
          ? await client.pauseSchedule(id)
          : verb === "resume"
            ? await client.resumeSchedule(id)
            : await client.getSchedule(id);
      print(flow, schedule);
    });
}

function seconds(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 1)
    throw new UsageError(`--interval ${JSON.stringify(text)} is not a number of seconds ≥ 1`);
  return n;
}

function print(flow: string, s: Schedule): void {
  const clocks = s.clocks.map((c) =>
    c.type === "interval" ? `every ${c.every} s` : `cron '${c.cron}' (${c.timezone ?? "UTC"})`,
  );
  const next = s.upcoming.slice(0, 3).map((t) => new Date(t).toISOString());
  process.stdout.write(
    `Schedule of '${flow}': ${s.active ? "active" : "paused"}; ${clocks.join(", ") || "no clocks"}${next.length ? `; next: ${next.join(", ")}` : ""}\n`,
  );
}
