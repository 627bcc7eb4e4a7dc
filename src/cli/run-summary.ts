import { fileURLToPath } from "node:url";
import type { FlowRunResult, TaskState } from "../flow/index.ts";
import { isFailed } from "../graph/index.ts";

/** How much of a failed task's error the summary shows. */
export interface SummaryOptions {
  /** The flow file, whose frames name where the user's code failed. */
  readonly flowFile?: string;
  /** Print every failed task's whole stack (`--log-level DEBUG`). */
  readonly debug?: boolean;
  /** Failed children of a map shown one by one. @default 3 */
  readonly childrenShown?: number;
}

/** flowgate's own folder (with a trailing slash), whose frames are not the user's. */
const FLOWGATE_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FRAME = /^\s+at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;
/** A flow bundle that workers import (content-addressed, without a source map). */
const BUNDLE = /\/bundles\/[0-9a-f]{16,}\.m?js$/;

interface Frame {
  readonly fn: string | undefined;
  readonly file: string;
  readonly at: string;
}

function framesOf(stack: string | undefined): Frame[] {
  const frames: Frame[] = [];
  for (const line of stack?.split("\n").slice(1) ?? []) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const file = m[2]!.replace(/^file:\/\//, "");
    frames.push({ fn: m[1], file, at: `${file}:${m[3]}:${m[4]}` });
  }
  return frames;
}

/**
 * The error class a stack starts with (`TypeError` of `TypeError: x is not a function`), when
 * the stack's first line is that class and the message.
 */
export function errorClass(
  stack: string | undefined,
  message: string | undefined,
): string | undefined {
  const first = stack?.split("\n", 1)[0];
  const m = first && /^([A-Za-z_$][\w$.]*)(?::|$)/.exec(first);
  if (!m) return undefined;
  return message === undefined || first.endsWith(message) || first === m[1] ? m[1] : undefined;
}

/**
 * The first stack frame in the user's code, as `file:line:col`: a frame in the flow file (by
 * path), else a frame in the flow's bundle on a worker (named by its function, as the bundle has
 * no source map), else the first frame outside Node's internals and flowgate itself.
 */
export function userFrame(stack: string | undefined, flowFile?: string): string | undefined {
  const frames = framesOf(stack);
  const own = flowFile && frames.find((f) => f.file === flowFile);
  if (own) return own.at;
  const bundled = frames.find((f) => BUNDLE.test(f.file));
  if (bundled)
    return `${bundled.fn ?? "<anonymous>"} in the flow's bundle ${bundled.at.slice(bundled.at.lastIndexOf("/") + 1)}`;
  return frames.find(
    (f) =>
      !/^node:|^<|\/node_modules\//.test(f.file) &&
      !f.file.startsWith(`${FLOWGATE_ROOT}src/`) &&
      !f.file.startsWith(`${FLOWGATE_ROOT}dist/`),
  )?.at;
}

function failure(state: TaskState, o: SummaryOptions): string {
  const what = errorClass(state.stack, state.message);
  const where = userFrame(state.stack, o.flowFile);
  return `${state.type}: ${what ? `${what}: ` : ""}${state.message ?? ""}${where ? ` (at ${where})` : ""}`;
}

function stackLines(state: TaskState, indent: string): string[] {
  return state.stack ? state.stack.split("\n").map((l) => `${indent}${l.trim()}`) : [];
}

function describe(state: TaskState, o: SummaryOptions): string[] {
  const children = state.children;
  if (!children) {
    if (state.type === "Success" || !state.message) return [state.type];
    return [failure(state, o), ...(o.debug ? stackLines(state, "      ") : [])];
  }
  const counts = new Map<string, number>();
  for (const c of children) counts.set(c.type, (counts.get(c.type) ?? 0) + 1);
  const parts = [...counts].map(([t, n]) => `${n} ${t}`);
  const lines = [
    `${state.type} (${children.length} children${parts.length ? `: ${parts.join(", ")}` : ""})`,
  ];
  const failed = children.flatMap((c, i) =>
    isFailed(c.type) && c.type !== "Cancelled" ? [i] : [],
  );
  const shown = o.debug ? failed : failed.slice(0, o.childrenShown ?? 3);
  for (const i of shown) {
    lines.push(`    [${i}] ${failure(children[i]!, o)}`);
    if (o.debug) lines.push(...stackLines(children[i]!, "        "));
  }
  if (shown.length < failed.length) lines.push(`    … and ${failed.length - shown.length} more`);
  return lines;
}

function show(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
  return text === undefined ? String(value) : text;
}

/**
 * Prints a run's task states and its result (the outputs) to stdout. A failed task names its
 * error class and the first frame in the user's file; with `debug`, its whole stack.
 */
export function printRunSummary(result: FlowRunResult<unknown>, o: SummaryOptions = {}): void {
  const states = result.taskStates();
  const width = Math.max(4, ...[...states.keys()].map((k) => k.length));
  const lines = [
    `Flow run '${result.flowName}' finished: ${result.state.type} (${result.state.message})`,
  ];
  if (result.placement.cluster) lines.push(`Cluster: ${result.placement.cluster.name}`);
  for (const [name, state] of states) {
    const [first, ...more] = describe(state, o);
    lines.push(`  ${name.padEnd(width)}  ${first}`, ...more);
  }
  if (result.outputs !== undefined) lines.push(`Result: ${show(result.outputs)}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}
