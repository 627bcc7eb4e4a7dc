import { STATE_CODES } from "../graph/index.ts";
import { TASK_RUN_FIELDS, type SchedulerToClient } from "../cluster/index.ts";
import type { TaskRunUpdate } from "./task-run-update.ts";

type TaskRunsMessage = Extract<SchedulerToClient, { t: "task-runs" }>;

/** The task-run updates a scheduler's `task-runs` message carries (see its layout in messages.ts). */
export function updatesOf(m: TaskRunsMessage, names: readonly string[]): TaskRunUpdate[] {
  const messages = new Map(m.messages);
  const out: TaskRunUpdate[] = [];
  for (let i = 0; i + TASK_RUN_FIELDS <= m.runs.length; i += TASK_RUN_FIELDS) {
    const node = m.runs[i]!;
    const task = names[node];
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
    const message = messages.get(i / TASK_RUN_FIELDS);
    if (message !== undefined) u.message = message;
    out.push(u);
  }
  return out;
}
