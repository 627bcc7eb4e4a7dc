import type { FlowRunResult } from "../flow/flow-run-result.ts";
import type { TaskState } from "../flow/task-state.ts";

function describe(state: TaskState): string {
  const children = state.children;
  if (!children)
    return state.message && state.type !== "Success"
      ? `${state.type}: ${state.message}`
      : state.type;
  const counts = new Map<string, number>();
  for (const c of children) counts.set(c.type, (counts.get(c.type) ?? 0) + 1);
  const parts = [...counts].map(([t, n]) => `${n} ${t}`);
  return `${state.type} (${children.length} children${parts.length ? `: ${parts.join(", ")}` : ""})`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
  return text === undefined ? String(value) : text;
}

/** Prints a run's task states and its result (the outputs) to stdout. */
export function printRunSummary(result: FlowRunResult<unknown>): void {
  const states = result.taskStates();
  const width = Math.max(4, ...[...states.keys()].map((k) => k.length));
  const lines = [
    `Flow run '${result.flowName}' finished: ${result.state.type} (${result.state.message})`,
  ];
  if (result.placement.cluster) lines.push(`Cluster: ${result.placement.cluster.name}`);
  for (const [name, state] of states) lines.push(`  ${name.padEnd(width)}  ${describe(state)}`);
  if (result.outputs !== undefined) lines.push(`Result: ${show(result.outputs)}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}
