import { formatLogRecord, type LogLevel } from "../graph/index.ts";
import type { LogLine, Run, RunState } from "../server/api/index.ts";

const FINISHED: readonly RunState[] = ["Success", "Failed", "Cancelled", "Crashed"];
import type { ServerClient } from "../server/client/index.ts";

/** A stored log line printed as the flow runner prints its own. */
export function formatLogLine(runId: number, l: LogLine): string {
  return formatLogRecord({
    time: l.time,
    level: l.level as LogLevel,
    name: l.name ?? "flowgate",
    message: l.message,
    flowRunId: String(runId),
    ...(l.task === null ? {} : { task: l.task }),
    ...(l.mapIndex === null || l.mapIndex < 0 ? {} : { mapIndex: l.mapIndex }),
    ...(l.worker === null ? {} : { worker: l.worker }),
  });
}

/**
 * Prints a run's log lines (and its state changes, prefixed by `prefix`) to `out` (default
 * stderr) as they arrive over the server's event stream, until the run ends; resolves with the
 * run's last state. The final state is not printed here: the caller prints the run's one final
 * line (with `runEndLine`), so that it appears once, on stdout.
 */
export async function followRun(
  client: ServerClient,
  runId: number,
  options: {
    prefix?: string;
    states?: boolean;
    signal?: AbortSignal;
    out?: NodeJS.WritableStream;
  } = {},
): Promise<Run> {
  const prefix = options.prefix ?? "";
  const out = options.out ?? process.stderr;
  let last: Run | undefined;
  for await (const ev of client.runEvents(runId, options.signal)) {
    if (ev.type === "logs")
      for (const l of ev.lines) out.write(`${prefix}${formatLogLine(runId, l)}\n`);
    else if (ev.type === "run") {
      if (
        options.states !== false &&
        ev.run.state !== last?.state &&
        !FINISHED.includes(ev.run.state)
      )
        out.write(
          `${prefix}Run ${runId} (${ev.run.flowName}): ${ev.run.state}${ev.run.stateReason ? ` — ${ev.run.stateReason}` : ""}\n`,
        );
      last = ev.run;
    }
  }
  // The stream ended (run finished, or the connection closed): the stored run has the last word.
  return client.getRun(runId);
}

/** The one line that says how a run ended: `Run 7 (times-two): Failed — why`. */
export function runEndLine(run: Run): string {
  return `Run ${run.id} (${run.flowName}): ${run.state}${run.stateReason ? ` — ${run.stateReason}` : ""}`;
}

/** A result as the CLI prints it (`Result: …`). */
export function showResult(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text;
}
