import { STATE_CODES } from "../graph/index.ts";
import { TASK_RUN_FIELDS, type SchedulerToClient } from "../cluster/index.ts";
import type { TaskRunUpdate } from "./task-run-update.ts";
import { MAX_BATCH } from "./task-run-batcher.ts";

type TaskRunsMessage = Extract<SchedulerToClient, { t: "task-runs" }>;
/** A graph node, named by its task id. */
type Named = { readonly id: string };

/**
 * Hands the task-run updates of a scheduler's `task-runs` message (see its layout in
 * messages.ts) to `emit`, at most MAX_BATCH at a time (so that their objects can die young).
 */
export function emitUpdates(
  m: TaskRunsMessage,
  nodes: readonly Named[],
  emit: (updates: readonly TaskRunUpdate[]) => void,
): void {
  const messages = m.messages.length > 0 ? new Map(m.messages) : undefined;
  const step = MAX_BATCH * TASK_RUN_FIELDS;
  for (let from = 0; from < m.runs.length; from += step)
    emit(updatesOf(m, nodes, messages, from, Math.min(m.runs.length, from + step)));
}

function updatesOf(
  m: TaskRunsMessage,
  nodes: readonly Named[],
  messages: Map<number, string> | undefined,
  from: number,
  to: number,
): TaskRunUpdate[] {
  const out: TaskRunUpdate[] = [];
  for (let i = from; i + TASK_RUN_FIELDS <= to; i += TASK_RUN_FIELDS) {
    const node = m.runs[i]!;
    const task = nodes[node]?.id;
    const state = STATE_CODES[m.runs[i + 2]!];
    if (task === undefined || state === undefined) continue;
    const u: { -readonly [K in keyof TaskRunUpdate]: TaskRunUpdate[K] } = {
      node,
      task,
      mapIndex: m.runs[i + 1]!,
      state,
    };
    const [startedAt, endedAt, worker] = [m.runs[i + 3]!, m.runs[i + 4]!, m.runs[i + 5]!];
    if (startedAt >= 0) u.startedAt = m.base + startedAt;
    if (endedAt >= 0) u.endedAt = m.base + endedAt;
    if (worker >= 0 && m.workers[worker] !== undefined) u.worker = m.workers[worker];
    const message = messages?.get(i / TASK_RUN_FIELDS);
    if (message !== undefined) u.message = message;
    out.push(u);
  }
  return out;
}
