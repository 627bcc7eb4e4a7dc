import { CommanderError } from "commander";
import { FlowgateError } from "../graph/errors.ts";
import { CliError } from "./errors.ts";

// Codes that mean "the input was wrong" (exit 2) rather than "something failed" (exit 1).
const USER_INPUT = new Set([
  "FG_FLOW_DEFINITION",
  "FG_FLOW_PARAMETER",
  "FG_GATEWAY_INVALID_ARGUMENT",
  "FG_GATEWAY_UNAUTHENTICATED",
  "FG_GATEWAY_FORBIDDEN",
  "FG_GATEWAY_CLUSTER_NOT_FOUND",
  "FG_GATEWAY_REQUEST_REJECTED",
  "FG_AGENT_SECRETS_FILE",
]);

/** The exit code for an error that ended a command: 2 for bad input, 1 otherwise. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
  if (e instanceof CliError) return 2;
  if (e instanceof FlowgateError && USER_INPUT.has(e.code)) return 2;
  if (e instanceof FlowgateError && e.code === "FG_SERVER_REQUEST" && rejectedInput(e)) return 2;
  return 1;
}

/** The server refused the request's content (400/422), e.g. `runs list --state Bogus`. */
function rejectedInput(e: FlowgateError): boolean {
  const status = (e as FlowgateError & { status?: unknown }).status;
  return status === 400 || status === 422;
}

/**
 * How an error that ended a command is printed: a FlowgateError as one line
 * (`flowgate: CODE: what was wrong; how to fix it`), its stack (and causes) only with `debug`;
 * anything else is a bug or an unexpected failure and prints its stack.
 */
export function formatError(e: unknown, debug: boolean): string {
  if (e instanceof FlowgateError) {
    const line = `flowgate: ${e.code}: ${e.message}`;
    return debug ? `${line}\n${stackWithCauses(e)}` : line;
  }
  if (e instanceof Error) return `flowgate: ${stackWithCauses(e)}`;
  return `flowgate: ${String(e)}`;
}

function stackWithCauses(e: Error): string {
  const parts = [e.stack ?? `${e.name}: ${e.message}`];
  for (let c = e.cause, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++)
    parts.push(`Caused by: ${c.stack ?? `${c.name}: ${c.message}`}`);
  return parts.join("\n");
}
